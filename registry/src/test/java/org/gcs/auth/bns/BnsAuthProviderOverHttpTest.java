package org.gcs.auth.bns;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.annotation.Annotation;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.gcs.api.AuthenticationException;
import org.gcs.api.UserId;
import org.gcs.bns.registry.BnsRegistry;
import org.gcs.bns.registry.BnsRegistry.Fault;
import org.gcs.bns.registry.BnsRegistry.State;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The bns AuthProvider against the offline registry over real HTTP on loopback, for each of the three name services:
 * who may log in as a name (owned, not owned, expired, grace, revoked, contract owner, transferred, unknown), and what a
 * misbehaving service does to logins (429 with retry-after, a server that never answers, malformed JSON, an oversize
 * body): a clear refusal in bounded time, never a hang, and the signature check never costs a lookup.
 */
@Timeout(60)
class BnsAuthProviderOverHttpTest {
    private static final SecureRandom RANDOM = new SecureRandom();
    private final List<AutoCloseable> closing = new ArrayList<>();
    private final BnsRegistry registry;

    BnsAuthProviderOverHttpTest() throws Exception {
        registry = BnsRegistry.start(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), null);
        closing.add(registry);
    }

    @AfterEach
    void close() throws Exception {
        for (AutoCloseable c : closing) {
            c.close();
        }
    }

    /** A user's key: private key, compressed public key, mainnet address. */
    record Key(byte[] privateKey, byte[] publicKey, StacksAddress address) {
        static Key fresh() {
            byte[] d = new byte[32];
            RANDOM.nextBytes(d);
            d[0] &= 0x7f; // below n
            byte[] pub = Secp256k1.publicKey(d);
            return new Key(d, pub, StacksAddress.of(pub, true));
        }

        byte[] sign(byte[] message) {
            return Secp256k1.sign(privateKey, StacksMessage.hash(message));
        }
    }

    static BnsConfig config(String service, URI url, int ttlSeconds, int timeoutMillis) {
        return new BnsConfig() {
            @Override
            public Class<? extends Annotation> annotationType() {
                return BnsConfig.class;
            }

            @Override
            public String service() {
                return service;
            }

            @Override
            public String url() {
                return url.toString();
            }

            @Override
            public String network() {
                return "mainnet";
            }

            @Override
            public int cache_ttl_seconds() {
                return ttlSeconds;
            }

            @Override
            public int cache_max_entries() {
                return 1000;
            }

            @Override
            public int lookup_timeout_ms() {
                return timeoutMillis;
            }

            @Override
            public int lookups_max_in_flight() {
                return 8;
            }

            @Override
            public int circuit_failures() {
                return 3;
            }

            @Override
            public int circuit_open_seconds() {
                return 30;
            }

            @Override
            public String contract_deployer() {
                return "";
            }
        };
    }

    private BnsAuthProvider provider(String service, int ttlSeconds) {
        BnsAuthProvider p = new BnsAuthProvider(config(service, registry.url(), ttlSeconds, 2000));
        closing.add(p::deactivate);
        return p;
    }

    private static final byte[] TRANSCRIPT = "node challenge transcript".getBytes(StandardCharsets.UTF_8);

    private static CompletableFuture<Void> login(BnsAuthProvider p, String name, Key key) {
        return p.verify(UserId.parse("bns:" + name), key.publicKey(), TRANSCRIPT, key.sign(TRANSCRIPT));
    }

    private static String refusal(CompletableFuture<Void> f) throws Exception {
        ExecutionException e = assertThrows(ExecutionException.class, () -> f.get(10, TimeUnit.SECONDS));
        assertInstanceOf(AuthenticationException.class, e.getCause(), String.valueOf(e.getCause()));
        return e.getCause().getMessage();
    }

    @ParameterizedTest
    @ValueSource(strings = {"indexer-v2", "contract-v2", "names-v1"})
    void theOwnerLogsInAndNobodyElseDoes(String service) throws Exception {
        Key alice = Key.fresh();
        Key mallory = Key.fresh();
        registry.register("alice.id", alice.address().toString());
        BnsAuthProvider p = provider(service, 300);
        login(p, "alice.id", alice).get(10, TimeUnit.SECONDS);
        login(p, "Alice.ID", alice).get(10, TimeUnit.SECONDS); // the same user
        assertTrue(refusal(login(p, "alice.id", mallory)).contains("is owned by " + alice.address()));
        assertTrue(refusal(login(p, "nobody.id", alice)).startsWith("no such BNS name"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"indexer-v2", "contract-v2", "names-v1"})
    void expiredAndRevokedNamesAndContractOwnersAreRefused(String service) throws Exception {
        Key k = Key.fresh();
        registry.register("expired.id", k.address().toString());
        registry.setState("expired.id", State.EXPIRED);
        registry.register("revoked.id", k.address().toString());
        registry.setState("revoked.id", State.REVOKED);
        registry.register("escrowed.id", k.address() + ".escrow");
        BnsAuthProvider p = provider(service, 300);
        assertTrue(refusal(login(p, "expired.id", k)).contains("expired"));
        String revoked = refusal(login(p, "revoked.id", k));
        assertTrue(revoked.contains(service.equals("contract-v2") ? "expired" : "revoked"), revoked);
        if (!service.equals("contract-v2")) { // the contract says only "does not resolve" for both
            registry.register("late.id", k.address().toString());
            registry.setState("late.id", State.GRACE_PERIOD);
            assertTrue(refusal(login(p, "late.id", k)).contains("grace period"));
        }
        assertTrue(refusal(login(p, "escrowed.id", k)).contains("contract"), "a contract cannot sign");
    }

    @Test
    void aTransferredNameStopsLoggingInOnceItsCacheEntryExpires() throws Exception {
        Key before = Key.fresh();
        Key after = Key.fresh();
        registry.register("bob.id", before.address().toString());
        BnsAuthProvider p = provider("indexer-v2", 1);
        login(p, "bob.id", before).get(10, TimeUnit.SECONDS);
        registry.transfer("bob.id", after.address().toString());
        login(p, "bob.id", before).get(10, TimeUnit.SECONDS); // within the TTL: the cached answer
        Thread.sleep(1200);
        assertTrue(refusal(login(p, "bob.id", before)).contains("is owned by " + after.address()));
        login(p, "bob.id", after).get(10, TimeUnit.SECONDS);
    }

    /** An expired cache entry is asked again with If-None-Match; the service answers 304 until the name changes. */
    @ParameterizedTest
    @ValueSource(strings = {"indexer-v2", "names-v1"})
    void anExpiredAnswerIsRevalidatedWithItsETagAndAChangeStillComesThrough(String service) throws Exception {
        Key owner = Key.fresh();
        Key buyer = Key.fresh();
        registry.register("dave.id", owner.address().toString());
        BnsAuthProvider p = provider(service, 1);
        login(p, "dave.id", owner).get(10, TimeUnit.SECONDS);
        assertEquals(0, registry.notModified());
        Thread.sleep(1200);
        login(p, "dave.id", owner).get(10, TimeUnit.SECONDS);
        assertEquals(1, registry.notModified(), "the second lookup was conditional and nothing had changed");
        registry.transfer("dave.id", buyer.address().toString());
        Thread.sleep(1200);
        assertTrue(refusal(login(p, "dave.id", owner)).contains("is owned by " + buyer.address()),
                "a changed name answers 200 with the new owner");
        assertEquals(1, registry.notModified());
        login(p, "dave.id", buyer).get(10, TimeUnit.SECONDS);
    }

    @Test
    void signaturesAreCheckedEveryTimeButOwnershipIsLookedUpOnce() throws Exception {
        Key k = Key.fresh();
        registry.register("carol.btc", k.address().toString());
        BnsAuthProvider p = provider("indexer-v2", 300);
        long before = registry.requests();
        List<CompletableFuture<Void>> logins = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            logins.add(login(p, "carol.btc", k));
        }
        for (CompletableFuture<Void> f : logins) {
            f.get(10, TimeUnit.SECONDS);
        }
        assertEquals(1, registry.requests() - before, "one lookup for 200 logins, concurrent ones sharing it");
        byte[] sig = k.sign(TRANSCRIPT);
        sig[10] ^= 1; // recovers another key, or none
        String why = refusal(p.verify(UserId.parse("bns:carol.btc"), k.publicKey(), TRANSCRIPT, sig));
        assertTrue(why.contains("not by the key presented") || why.contains("recovers no public key"), why);
        assertTrue(refusal(p.verify(UserId.parse("bns:carol.btc"), Key.fresh().publicKey(), TRANSCRIPT,
                k.sign(TRANSCRIPT))).contains("not by the key presented"), "a good signature by another key");
        assertEquals(1, registry.requests() - before, "a bad signature costs no lookup");
    }

    @Test
    void rateLimitingOpensTheCircuitForItsRetryAfterAndLoginsFailAtOnce() throws Exception {
        Key k = Key.fresh();
        registry.register("dave.id", k.address().toString());
        registry.fault(Fault.RATE_LIMITED, 120);
        BnsAuthProvider p = provider("indexer-v2", 300);
        assertTrue(refusal(login(p, "dave.id", k)).contains("rate limiting (429), retry after 120 s"));
        long served = registry.requests();
        registry.fault(Fault.NONE, 0);
        long t0 = System.nanoTime();
        String fast = refusal(login(p, "dave.id", k));
        assertTrue(fast.startsWith("name service unreachable"), fast);
        assertTrue(System.nanoTime() - t0 < TimeUnit.SECONDS.toNanos(1), "failed at once");
        assertEquals(served, registry.requests(), "the open circuit sent nothing");
    }

    @Test
    void aServerThatNeverAnswersFailsTheLoginWithinTheTimeout() throws Exception {
        try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            List<Socket> accepted = new ArrayList<>();
            Thread acceptor = new Thread(() -> {
                try {
                    for (int i = 0; i < 10; i++) {
                        accepted.add(silent.accept()); // and never a byte back
                    }
                } catch (java.io.IOException closed) {
                    // the test is over
                }
            });
            acceptor.setDaemon(true);
            acceptor.start();
            BnsAuthProvider p = new BnsAuthProvider(config("indexer-v2",
                    URI.create("http://127.0.0.1:" + silent.getLocalPort()), 300, 500));
            closing.add(p::deactivate);
            long t0 = System.nanoTime();
            String why = refusal(login(p, "erin.id", Key.fresh()));
            long ms = (System.nanoTime() - t0) / 1_000_000;
            assertTrue(why.contains("timed out"), why);
            assertTrue(ms < 3000, "bounded by the 500 ms lookup timeout: " + ms + " ms");
            for (Socket s : accepted) {
                s.close();
            }
        }
    }

    @Test
    void malformedOversizeAndFailingAnswersAreRefusalsThatSaySo() throws Exception {
        Key k = Key.fresh();
        registry.register("frank.id", k.address().toString());
        registry.fault(Fault.MALFORMED_JSON, 0);
        assertTrue(refusal(login(provider("indexer-v2", 300), "frank.id", k)).contains("malformed JSON"));
        registry.fault(Fault.OVERSIZE_BODY, 0);
        assertTrue(refusal(login(provider("indexer-v2", 300), "frank.id", k)).contains("more than"));
        registry.fault(Fault.SERVER_ERROR, 0);
        assertTrue(refusal(login(provider("indexer-v2", 300), "frank.id", k)).contains("HTTP 500"));
        registry.fault(Fault.NONE, 0);
        login(provider("indexer-v2", 300), "frank.id", k).get(10, TimeUnit.SECONDS);
    }

    @Test
    void anUnknownSubdomainIsNeverFollowedToARegistrar() throws Exception {
        BnsAuthProvider p = provider("names-v1", 300);
        Key k = Key.fresh();
        String why = refusal(p.verify(UserId.parse("bns:bob.alice.id"), k.publicKey(), TRANSCRIPT, k.sign(TRANSCRIPT)));
        assertTrue(why.contains("subdomain"), why);
    }

    @Test
    void aKeyImportedFromAWalletLogsInAsTheNameItOwns(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws Exception {
        Key wallet = Key.fresh();
        java.nio.file.Path keyFile = dir.resolve("bns.key");
        java.nio.file.Files.writeString(keyFile, java.util.HexFormat.of().formatHex(wallet.privateKey()) + "01\n");
        java.nio.file.Files.setPosixFilePermissions(keyFile,
                java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
        registry.register("grace.id", wallet.address().toString());
        org.gcs.api.auth.UserCredential c = new BnsCredentialStore().loadOrCreate(keyFile, "Grace.id");
        BnsAuthProvider p = provider("indexer-v2", 300);
        p.verify(c.user(), c.publicKey(), TRANSCRIPT, c.sign(TRANSCRIPT)).get(10, TimeUnit.SECONDS);
        org.gcs.api.auth.UserCredential other = new BnsCredentialStore().loadOrCreate(keyFile, "henry.id");
        assertTrue(refusal(p.verify(other.user(), other.publicKey(), TRANSCRIPT, other.sign(TRANSCRIPT)))
                .startsWith("no such BNS name"), "the key owns grace.id only");
    }
}
