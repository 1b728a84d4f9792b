package org.gcs.auth.bns;

import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import okhttp3.HttpUrl;
import okhttp3.OkHttpClient;
import org.gcs.api.AuthenticationException;
import org.gcs.api.IdentityUnavailableException;
import org.gcs.api.UserId;
import org.gcs.api.auth.AuthProvider;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.metatype.annotations.Designate;

/**
 * Verifies {@code bns} users: a Stacks signed message (secp256k1, recoverable) by a compressed key whose address owns
 * the name now. The signature is checked locally every time; who owns the name comes from the {@link OwnershipCache}
 * in front of the configured {@link NameService}, so repeated checks (signed signaling, channel authentication) cost no
 * HTTP round trip. Never blocks the caller: a lookup completes on the HTTP client's threads.
 */
@Component(property = AuthProvider.SCHEME_PROPERTY + "=" + UserId.BNS, configurationPid = "org.gcs.auth.bns",
        configurationPolicy = ConfigurationPolicy.OPTIONAL)
@Designate(ocd = BnsConfig.class)
public class BnsAuthProvider implements AuthProvider {
    /** What a configuration makes: the cache in front of its name service, the HTTP client, the network. */
    private record Resolver(OwnershipCache cache, OkHttpClient http, boolean mainnet) {
        /** Ends the HTTP client's threads once idle; {@code cancel}: fails the lookups in flight at once. */
        void close(boolean cancel) {
            if (cancel) {
                http.dispatcher().cancelAll();
            }
            http.dispatcher().executorService().shutdown();
            http.connectionPool().evictAll();
        }
    }

    private volatile Resolver resolver;

    public BnsAuthProvider() {
    }

    /** A provider outside a framework (tests, tools). */
    BnsAuthProvider(BnsConfig config) {
        activate(config);
    }

    /**
     * A provider outside a framework (tools, other bundles' tests): {@code config} maps {@link BnsConfig}'s method
     * names ({@code url}, {@code cache_ttl_seconds}, ...) to values; the others keep their defaults. {@link #close}
     * it when done.
     */
    public static BnsAuthProvider standalone(java.util.Map<String, Object> config) {
        BnsConfig c = (BnsConfig) java.lang.reflect.Proxy.newProxyInstance(BnsConfig.class.getClassLoader(),
                new Class<?>[] {BnsConfig.class}, (proxy, method, args) -> {
                    if (method.getName().equals("annotationType")) {
                        return BnsConfig.class;
                    }
                    Object v = config.get(method.getName());
                    return v != null ? v : method.getDefaultValue();
                });
        return new BnsAuthProvider(c);
    }

    /** Ends a {@link #standalone} provider: lookups in flight fail, the HTTP client's threads end. */
    public void close() {
        deactivate();
    }

    @Activate
    void activate(BnsConfig config) {
        resolver = resolver(config);
    }

    /**
     * A changed configuration takes effect for the next lookup, without unregistering the provider: lookups in flight
     * finish on the old client, the devices logged in are not disturbed, and a daemon using it does not restart. The old cache
     * goes with the old configuration (another service may answer otherwise).
     */
    @Modified
    void modified(BnsConfig config) {
        Resolver next = resolver(config);
        Resolver old = resolver;
        resolver = next;
        if (old != null) {
            old.close(false); // lookups in flight finish on the old client
        }
    }

    private static Resolver resolver(BnsConfig config) {
        boolean mainnet = switch (config.network()) {
            case "mainnet" -> true;
            case "testnet" -> false;
            default -> throw new IllegalArgumentException("network must be mainnet or testnet, not " + config.network());
        };
        HttpUrl url = HttpUrl.parse(config.url());
        if (url == null) {
            throw new IllegalArgumentException("not an http(s) URL: " + config.url());
        }
        OkHttpClient http = HttpNameService.client(Duration.ofMillis(config.lookup_timeout_ms()));
        NameService service = switch (config.service()) {
            case "indexer-v2" -> new IndexerV2Service(http, url, !mainnet);
            case "names-v1" -> new NamesV1Service(http, url);
            case "contract-v2" -> new ContractV2Service(http, url, !config.contract_deployer().isBlank()
                    ? config.contract_deployer()
                    : mainnet ? ContractV2Service.MAINNET_DEPLOYER : ContractV2Service.TESTNET_DEPLOYER);
            default -> throw new IllegalArgumentException("service must be indexer-v2, contract-v2 or names-v1, not "
                    + config.service());
        };
        OwnershipCache cache = new OwnershipCache(service, config.cache_ttl_seconds() * 1000L, config.cache_max_entries(),
                config.lookups_max_in_flight(), config.circuit_failures(), config.circuit_open_seconds() * 1000L,
                System::currentTimeMillis);
        return new Resolver(cache, http, mainnet);
    }

    @Deactivate
    void deactivate() {
        Resolver r = resolver;
        if (r != null) {
            r.close(true);
        }
    }

    @Override
    public String scheme() {
        return UserId.BNS;
    }

    @Override
    public CompletableFuture<Void> verify(UserId user, byte[] publicKey, byte[] message, byte[] signature) {
        BnsName name;
        StacksAddress address;
        try {
            name = BnsName.of(user);
            address = signer(publicKey, message, signature);
        } catch (IllegalArgumentException | AuthenticationException e) {
            return CompletableFuture.failedFuture(e instanceof AuthenticationException a ? a
                    : new AuthenticationException(e.getMessage()));
        }
        return owns(name, address);
    }

    /** Whether the name is active and owned by the address of {@code publicKey}, from the cache when it is fresh. */
    @Override
    public CompletableFuture<Void> checkOwner(UserId user, byte[] publicKey) {
        try {
            if (!Secp256k1.isCompressedPublicKey(publicKey)) {
                throw new AuthenticationException("a BNS user's key is a compressed secp256k1 public key (33 bytes)");
            }
            return owns(BnsName.of(user), StacksAddress.of(publicKey, resolver.mainnet()));
        } catch (IllegalArgumentException | AuthenticationException e) {
            return CompletableFuture.failedFuture(e instanceof AuthenticationException a ? a
                    : new AuthenticationException(e.getMessage()));
        }
    }

    private CompletableFuture<Void> owns(BnsName name, StacksAddress address) {
        return resolver.cache().record(name).handle((record, e) -> {
            if (e != null) {
                Throwable cause = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
                if (cause instanceof NameServiceException n && n.definite()) {
                    throw new AuthenticationException(n.getMessage(), n);
                }
                throw new IdentityUnavailableException(cause.getMessage(), cause);
            }
            String refusal = record.refusal(address);
            if (refusal != null) {
                throw new AuthenticationException(refusal);
            }
            return null;
        });
    }

    /** The address of the key that signed {@code message}, once the signature is found to be that key's. */
    private StacksAddress signer(byte[] publicKey, byte[] message, byte[] signature) {
        if (!Secp256k1.isCompressedPublicKey(publicKey)) {
            throw new AuthenticationException("a BNS login needs a compressed secp256k1 public key (33 bytes)");
        }
        if (message == null) {
            throw new AuthenticationException("nothing signed");
        }
        byte[] recovered = Secp256k1.recover(StacksMessage.hash(message), signature);
        if (!Arrays.equals(recovered, publicKey)
                && !Arrays.equals(Secp256k1.recover(StacksMessage.legacyHash(message), signature), publicKey)) {
            throw new AuthenticationException("the signature is not by the key presented");
        }
        return StacksAddress.of(publicKey, resolver.mainnet());
    }
}
