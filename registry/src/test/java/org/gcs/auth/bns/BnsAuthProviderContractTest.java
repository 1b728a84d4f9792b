package org.gcs.auth.bns;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;
import org.gcs.api.auth.AuthProvider;
import org.gcs.api.auth.CredentialStore;
import org.gcs.api.auth.UserCredential;
import org.gcs.bns.registry.BnsRegistry;
import org.gcs.contracts.AuthProviderContract;
import org.junit.jupiter.api.AfterEach;

/**
 * The authentication contract for scheme {@code bns}, against the offline registry over HTTP: a fresh user is a key
 * imported into its file (as a wallet user does) and a name registered to that key's address.
 */
class BnsAuthProviderContractTest extends AuthProviderContract {
    private static final SecureRandom RANDOM = new SecureRandom();
    private final BnsRegistry registry;
    private final BnsAuthProvider provider;
    private final BnsCredentialStore store = new BnsCredentialStore();
    private final Map<Path, String> names = new HashMap<>();

    BnsAuthProviderContractTest() throws Exception {
        registry = BnsRegistry.start(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), null);
        provider = new BnsAuthProvider(BnsAuthProviderOverHttpTest.config("indexer-v2", registry.url(), 300, 2000));
    }

    @AfterEach
    void stop() {
        provider.deactivate();
        registry.close();
    }

    @Override
    protected AuthProvider provider() {
        return provider;
    }

    @Override
    protected CredentialStore store() {
        return store;
    }

    @Override
    protected boolean storeMakesKeys() {
        return false;
    }

    /** Imports a fresh key into {@code keyFile} (owner-only) and registers a name to it, the first time. */
    @Override
    protected UserCredential newCredential(Path keyFile) throws Exception {
        String name = names.computeIfAbsent(keyFile, f -> "user" + names.size() + ".id");
        if (Files.notExists(keyFile)) {
            byte[] d = new byte[32];
            RANDOM.nextBytes(d);
            d[0] &= 0x7f;
            Files.createDirectories(keyFile.toAbsolutePath().getParent());
            Files.writeString(keyFile, HexFormat.of().formatHex(d) + "01\n");
            Files.setPosixFilePermissions(keyFile, PosixFilePermissions.fromString("rw-------"));
            registry.register(name, StacksAddress.of(Secp256k1.publicKey(d), true).toString());
        }
        return store.loadOrCreate(keyFile, name);
    }
}
