package org.gcs.auth.pubkey;

import org.bouncycastle.crypto.params.Ed25519PrivateKeyParameters;
import org.bouncycastle.crypto.signers.Ed25519Signer;
import org.gcs.api.UserId;
import org.gcs.api.auth.UserCredential;

/** An Ed25519 private key and the {@code pk} user it makes. */
final class PubkeyCredential implements UserCredential {
    private final Ed25519PrivateKeyParameters privateKey;
    private final byte[] publicKey;
    private final UserId user;

    PubkeyCredential(Ed25519PrivateKeyParameters privateKey) {
        this.privateKey = privateKey;
        this.publicKey = privateKey.generatePublicKey().getEncoded();
        this.user = PubkeyIds.userOf(publicKey);
    }

    @Override
    public UserId user() {
        return user;
    }

    @Override
    public byte[] publicKey() {
        return publicKey.clone();
    }

    @Override
    public byte[] sign(byte[] message) {
        Ed25519Signer signer = new Ed25519Signer();
        signer.init(true, privateKey);
        signer.update(message, 0, message.length);
        return signer.generateSignature();
    }
}
