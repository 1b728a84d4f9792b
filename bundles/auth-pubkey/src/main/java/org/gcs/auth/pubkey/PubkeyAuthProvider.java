package org.gcs.auth.pubkey;

import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import org.bouncycastle.crypto.params.Ed25519PublicKeyParameters;
import org.bouncycastle.crypto.signers.Ed25519Signer;
import org.gcs.api.AuthenticationException;
import org.gcs.api.UserId;
import org.gcs.api.auth.AuthProvider;
import org.osgi.service.component.annotations.Component;

/** Verifies Ed25519 signatures of {@code pk} users: the user id is the public key, so no lookup is needed. */
@Component(property = AuthProvider.SCHEME_PROPERTY + "=" + PubkeyIds.SCHEME)
public class PubkeyAuthProvider implements AuthProvider {
    private static final int SIGNATURE_LENGTH = 64;

    @Override
    public String scheme() {
        return PubkeyIds.SCHEME;
    }

    @Override
    public CompletableFuture<Void> verify(UserId user, byte[] publicKey, byte[] message, byte[] signature) {
        try {
            check(user, publicKey, message, signature);
            return CompletableFuture.completedFuture(null);
        } catch (AuthenticationException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    /** A {@code pk} id is its key: it owns the id exactly when it is that key, and always will. */
    @Override
    public CompletableFuture<Void> checkOwner(UserId user, byte[] publicKey) {
        try {
            owner(user, publicKey);
            return CompletableFuture.completedFuture(null);
        } catch (AuthenticationException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    private static byte[] owner(UserId user, byte[] publicKey) {
        byte[] key;
        try {
            key = PubkeyIds.keyOf(user);
        } catch (IllegalArgumentException e) {
            throw new AuthenticationException("not a valid pk user id: " + e.getMessage());
        }
        if (publicKey == null || !Arrays.equals(key, publicKey)) {
            throw new AuthenticationException("public key does not match user id " + user);
        }
        return key;
    }

    private static void check(UserId user, byte[] publicKey, byte[] message, byte[] signature) {
        byte[] key = owner(user, publicKey);
        if (signature == null || signature.length != SIGNATURE_LENGTH || message == null) {
            throw new AuthenticationException("an Ed25519 signature has " + SIGNATURE_LENGTH + " bytes");
        }
        Ed25519Signer verifier = new Ed25519Signer();
        try {
            verifier.init(false, new Ed25519PublicKeyParameters(key, 0));
        } catch (IllegalArgumentException e) {
            throw new AuthenticationException("not an Ed25519 public key: " + e.getMessage());
        }
        verifier.update(message, 0, message.length);
        if (!verifier.verifySignature(signature)) {
            throw new AuthenticationException("signature does not verify for " + user);
        }
    }
}
