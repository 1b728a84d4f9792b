package org.gcs.contracts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.EnumSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
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
 * user, key, message or signature fails with {@link AuthenticationException} as a failed future (never a throw).
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

    @Test
    void keyFileIsReusedAndOwnerOnly() throws Exception {
        Path keyFile = dir.resolve("keys/alice.key");
        UserCredential first = newCredential(keyFile);
        UserCredential again = newCredential(keyFile);
        assertEquals(first.user(), again.user());
        assertTrue(Files.exists(keyFile));
        if (Files.getFileStore(keyFile).supportsFileAttributeView("posix")) {
            assertEquals(EnumSet.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE),
                    Files.getPosixFilePermissions(keyFile));
        }
    }

    @Test
    void unreadableKeyFileIsAnErrorNotANewIdentity() throws Exception {
        Path keyFile = dir.resolve("broken.key");
        Files.writeString(keyFile, "not a key");
        assertThrows(java.io.IOException.class, () -> newCredential(keyFile));
        assertEquals("not a key", Files.readString(keyFile), "the user's file must not be overwritten");
    }

    private static void assertRefused(CompletableFuture<Void> verdict) {
        ExecutionException e = assertThrows(ExecutionException.class, () -> verdict.get(5, TimeUnit.SECONDS));
        assertInstanceOf(AuthenticationException.class, e.getCause());
    }
}
