package org.gcs.api.auth;

import org.gcs.api.UserId;
import org.osgi.annotation.versioning.ProviderType;

/** A user's identity together with the ability to sign as her. */
@ProviderType
public interface UserCredential {
    UserId user();

    /** The public key in the encoding its scheme's {@link AuthProvider#verify} expects. */
    byte[] publicKey();

    /** Signs {@code message} with the user's private key. */
    byte[] sign(byte[] message);
}
