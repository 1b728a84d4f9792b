package org.gcs.contracts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.gcs.api.AuthenticationException;
import org.gcs.api.UserId;
import org.gcs.api.auth.AuthProvider;
import org.gcs.api.auth.CredentialStore;
import org.gcs.api.auth.UserCredential;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What every authentication scheme must do: a credential's signature verifies for its own user, and any change of
 * user, key, message or signature fails with {@link AuthenticationException} as a failed future (never a throw). Its
 * {@link CredentialStore} makes a key file once, owner-only, so that of several racing creators every one ends with the
 * key on disk, and refuses a key file that group or others can access.
 */
public abstract class AuthProviderContract {
    @TempDir
    protected Path dir;

    protected abstract AuthProvider provider();

    protected abstract CredentialStore store();

    /** A credential for a fresh user, kept in {@code keyFile}. */
    protected UserCredential newCredential(Path keyFile) throws Exception {
        return store().loadOrCreate(keyFile, null);
    }

    /**
     * Whether the store makes a key when the file is missing ({@code pk}); a scheme whose keys must be imported
     * ({@code bns}: a new key owns no name) says false, and the tests of key making are skipped for it.
     */
    protected boolean storeMakesKeys() {
        return true;
    }

    private final byte[] message = "challenge transcript".getBytes(StandardCharsets.UTF_8);

    @Test
    void ownSignatureVerifies() throws Exception {
        UserCredential alice = newCredential(dir.resolve("alice.key"));
        assertEquals(provider().scheme(), alice.user().scheme());
        provider().verify(alice.user(), alice.publicKey(), message, alice.sign(message)).get(5, TimeUnit.SECONDS);
    }

    @Test
    void signatureOverAnotherMessageFails() throws Exception {
        UserCredential alice = newCredential(dir.resolve("alice.key"));
        byte[] other = "another transcript".getBytes(StandardCharsets.UTF_8);
        assertRefused(provider().verify(alice.user(), alice.publicKey(), message, alice.sign(other)));
    }

    @Test
    void anotherUsersKeyCannotSpeakForAlice() throws Exception {
        UserCredential alice = newCredential(dir.resolve("alice.key"));
        UserCredential mallory = newCredential(dir.resolve("mallory.key"));
        assertNotEquals(alice.user(), mallory.user());
        assertRefused(provider().verify(alice.user(), mallory.publicKey(), message, mallory.sign(message)));
        assertRefused(provider().verify(alice.user(), alice.publicKey(), message, mallory.sign(message)));
    }

    @Test
    void tamperedOrTruncatedSignatureFails() throws Exception {
        UserCredential alice = newCredential(dir.resolve("alice.key"));
        byte[] signature = alice.sign(message);
        signature[signature.length / 2] ^= 1;
        assertRefused(provider().verify(alice.user(), alice.publicKey(), message, signature));
        assertRefused(provider().verify(alice.user(), alice.publicKey(), message, new byte[0]));
        assertRefused(provider().verify(alice.user(), alice.publicKey(), message, null));
    }

    @Test
    void garbageKeysAndForeignSchemesFail() throws Exception {
        UserCredential alice = newCredential(dir.resolve("alice.key"));
        byte[] signature = alice.sign(message);
        assertRefused(provider().verify(alice.user(), new byte[] {1, 2, 3}, message, signature));
        assertRefused(provider().verify(alice.user(), null, message, signature));
        assertRefused(provider().verify(UserId.of("other-scheme", alice.user().value()), alice.publicKey(), message, signature));
    }

    /** The cacheable half: a user's own key owns her id, no other key does, and that needs no signature. */
    @Test
    void ownKeyOwnsTheIdAndNoOtherKeyDoes() throws Exception {
        UserCredential alice = newCredential(dir.resolve("alice.key"));
        UserCredential mallory = newCredential(dir.resolve("mallory.key"));
        provider().checkOwner(alice.user(), alice.publicKey()).get(5, TimeUnit.SECONDS);
        provider().checkOwner(alice.user(), alice.publicKey()).get(5, TimeUnit.SECONDS); // asked again: same answer
        assertRefused(provider().checkOwner(alice.user(), mallory.publicKey()));
        assertRefused(provider().checkOwner(alice.user(), new byte[] {1, 2, 3}));
        assertRefused(provider().checkOwner(alice.user(), null));
        assertRefused(provider().checkOwner(UserId.of("other-scheme", alice.user().value()), alice.publicKey()));
    }

    @Test
    void keyFileIsReusedAndOwnerOnlyInAnOwnerOnlyDirectory() throws Exception {
        assumeTrue(storeMakesKeys(), "this store imports keys, it does not make them");
        Path keyFile = dir.resolve("keys/alice.key");
        UserCredential first = newCredential(keyFile);
        UserCredential again = newCredential(keyFile);
        assertEquals(first.user(), again.user());
        assertTrue(Files.exists(keyFile));
        if (posix(keyFile)) {
            assertEquals(EnumSet.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE),
                    Files.getPosixFilePermissions(keyFile));
            assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(keyFile.getParent())),
                    "the directory a store creates for a key is the owner's only");
        }
    }

    @Test
    void unreadableKeyFileIsAnErrorNotANewIdentity() throws Exception {
        Path keyFile = dir.resolve("broken.key");
        Files.writeString(keyFile, "not a key");
        if (posix(keyFile)) {
            Files.setPosixFilePermissions(keyFile, PosixFilePermissions.fromString("rw-------"));
        }
        IOException e = assertThrows(IOException.class, () -> newCredential(keyFile));
        assertTrue(e.getMessage().contains(keyFile.toString()), "the error names the file: " + e.getMessage());
        assertEquals("not a key", Files.readString(keyFile), "the user's file must not be overwritten");
    }

    /** As ssh does: a private key that group or others may read is refused, naming the file, its mode and the fix. */
    @Test
    void keyFileOthersCanAccessIsRefusedWithItsModeAndTheFix() throws Exception {
        Path keyFile = dir.resolve("alice.key");
        UserCredential alice = newCredential(keyFile);
        assumeTrue(posix(keyFile), "permissions are only checked on POSIX file systems");
        for (String open : List.of("rw-r--r--", "rw-r-----", "rw-----w-")) {
            Files.setPosixFilePermissions(keyFile, PosixFilePermissions.fromString(open));
            IOException e = assertThrows(IOException.class, () -> newCredential(keyFile), open);
            assertTrue(e.getMessage().contains(keyFile.toString()), "names the file: " + e.getMessage());
            assertTrue(e.getMessage().contains(open), "names the mode: " + e.getMessage());
            assertTrue(e.getMessage().contains("chmod 600"), "says how to fix it: " + e.getMessage());
        }
        Files.setPosixFilePermissions(keyFile, PosixFilePermissions.fromString("rw-------"));
        assertEquals(alice.user(), newCredential(keyFile).user(), "after chmod 600 the same key loads");
    }

    /** Daemons starting at the same moment on one key file: exactly one key is made and every racer uses it. */
    @Test
    void racingCreatorsAllEndWithTheKeyOnDisk() throws Exception {
        assumeTrue(storeMakesKeys(), "this store imports keys, it does not make them");
        int racers = 8;
        ExecutorService pool = Executors.newFixedThreadPool(racers);
        try {
            for (int round = 0; round < 20; round++) {
                Path keyFile = dir.resolve("race-" + round + "/user.key");
                CyclicBarrier start = new CyclicBarrier(racers);
                List<Future<UserCredential>> results = new ArrayList<>();
                for (int i = 0; i < racers; i++) {
                    results.add(pool.submit(() -> {
                        start.await(10, TimeUnit.SECONDS);
                        return newCredential(keyFile);
                    }));
                }
                List<UserId> users = new ArrayList<>();
                for (Future<UserCredential> result : results) {
                    users.add(result.get(30, TimeUnit.SECONDS).user());
                }
                UserId onDisk = newCredential(keyFile).user();
                for (UserId user : users) {
                    assertEquals(onDisk, user, "round " + round + ": a racer signs with a key that is not on disk");
                }
            }
        } finally {
            pool.shutdownNow();
        }
    }

    private static boolean posix(Path file) throws IOException {
        return Files.getFileStore(file).supportsFileAttributeView("posix");
    }

    private static void assertRefused(CompletableFuture<Void> verdict) {
        ExecutionException e = assertThrows(ExecutionException.class, () -> verdict.get(5, TimeUnit.SECONDS));
        assertInstanceOf(AuthenticationException.class, e.getCause());
    }
}
