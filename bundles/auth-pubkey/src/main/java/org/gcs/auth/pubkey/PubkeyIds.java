package org.gcs.auth.pubkey;

import org.gcs.api.UserId;

/** The mapping between an Ed25519 public key and the {@code pk} user id it names. */
public final class PubkeyIds {
    /** The identity scheme served by this bundle. */
    public static final String SCHEME = "pk";
    /** Length of a raw Ed25519 public key. */
    public static final int KEY_LENGTH = 32;

    private PubkeyIds() {
    }

    /** The user id a raw 32-byte Ed25519 public key names. */
    public static UserId userOf(byte[] publicKey) {
        if (publicKey == null || publicKey.length != KEY_LENGTH) {
            throw new IllegalArgumentException("an Ed25519 public key has " + KEY_LENGTH + " bytes");
        }
        return UserId.of(SCHEME, Base32.encode(publicKey));
    }

    /** The raw public key a {@code pk} user id carries; throws IllegalArgumentException if it is not one. */
    public static byte[] keyOf(UserId user) {
        if (!SCHEME.equals(user.scheme())) {
            throw new IllegalArgumentException("not a " + SCHEME + " user id: " + user);
        }
        byte[] key = Base32.decode(user.value());
        if (key.length != KEY_LENGTH) {
            throw new IllegalArgumentException("a " + SCHEME + " user id carries " + KEY_LENGTH + " bytes, this one " + key.length);
        }
        return key;
    }
}
