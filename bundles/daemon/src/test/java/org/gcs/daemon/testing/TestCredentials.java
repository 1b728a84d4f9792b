package org.gcs.daemon.testing;

import java.util.concurrent.CompletableFuture;
import org.gcs.api.AuthenticationException;
import org.gcs.api.auth.AuthProvider;

import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.X509EncodedKeySpec;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.gcs.api.UserId;
import org.gcs.api.auth.CredentialStore;
import org.gcs.api.auth.UserCredential;

/** JDK Ed25519 stand-ins for the pk scheme: the public key travels as X.509 SubjectPublicKeyInfo. */
public final class TestCredentials {
    private TestCredentials() {
    }

    public static UserCredential newCredential() {
        try {
            KeyPair kp = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
            byte[] pub = kp.getPublic().getEncoded();
            String value = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(pub)).substring(0, 40);
            UserId user = UserId.of("pk", value);
            return new UserCredential() {
                @Override
                public UserId user() {
                    return user;
                }

                @Override
                public byte[] publicKey() {
                    return pub.clone();
                }

                @Override
                public byte[] sign(byte[] message) {
                    try {
                        Signature s = Signature.getInstance("Ed25519");
                        s.initSign(kp.getPrivate());
                        s.update(message);
                        return s.sign();
                    } catch (GeneralSecurityException e) {
                        throw new IllegalStateException(e);
                    }
                }
            };
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The id {@link #newCredential} gives the owner of {@code publicKey}. */
    public static UserId userOf(byte[] publicKey) {
        try {
            return UserId.of("pk", HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(publicKey)).substring(0, 40));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Verifies as an {@code AuthProvider} for these credentials: the key must own the id and the signature hold. */
    public static AuthProvider authProvider() {
        return new AuthProvider() {
            @Override
            public String scheme() {
                return "pk";
            }

            @Override
            public CompletableFuture<Void> verify(UserId user, byte[] publicKey, byte[] message, byte[] signature) {
                if (!userOf(publicKey).equals(user)) {
                    return CompletableFuture.failedFuture(new AuthenticationException("the key does not belong to " + user));
                }
                if (!TestCredentials.verify(publicKey, message, signature)) {
                    return CompletableFuture.failedFuture(new AuthenticationException("bad signature"));
                }
                return CompletableFuture.completedFuture(null);
            }

            @Override
            public CompletableFuture<Void> checkOwner(UserId user, byte[] publicKey) {
                return userOf(publicKey).equals(user) ? CompletableFuture.completedFuture(null)
                        : CompletableFuture.failedFuture(new AuthenticationException("the key does not belong to " + user));
            }
        };
    }

    public static boolean verify(byte[] publicKey, byte[] message, byte[] signature) {
        try {
            PublicKey key = KeyFactory.getInstance("Ed25519").generatePublic(new X509EncodedKeySpec(publicKey));
            Signature s = Signature.getInstance("Ed25519");
            s.initVerify(key);
            s.update(message);
            return s.verify(signature);
        } catch (GeneralSecurityException | RuntimeException e) {
            return false;
        }
    }

    /** A store that keeps one credential per key file path, in memory. */
    public static final class Store implements CredentialStore {
        private final Map<Path, UserCredential> keys = new ConcurrentHashMap<>();

        @Override
        public String scheme() {
            return "pk";
        }

        @Override
        public UserCredential loadOrCreate(Path keyFile, String name) {
            return keys.computeIfAbsent(keyFile.toAbsolutePath(), k -> newCredential());
        }
    }
}
