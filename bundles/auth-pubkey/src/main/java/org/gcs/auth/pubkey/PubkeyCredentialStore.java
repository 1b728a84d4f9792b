package org.gcs.auth.pubkey;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.crypto.params.AsymmetricKeyParameter;
import org.bouncycastle.crypto.params.Ed25519PrivateKeyParameters;
import org.bouncycastle.crypto.util.PrivateKeyFactory;
import org.bouncycastle.crypto.util.PrivateKeyInfoFactory;
import org.gcs.api.auth.AuthProvider;
import org.gcs.api.auth.CredentialStore;
import org.gcs.api.auth.UserCredential;
import org.osgi.service.component.annotations.Component;

/**
 * Keeps a user's Ed25519 key as a PKCS#8 PEM file ({@code -----BEGIN PRIVATE KEY-----}, readable by openssl), created
 * owner-only on first use; {@link KeyFile} has the rules (one winner among racing creators, never replaced, refused
 * when group or others may access it).
 */
@Component(property = AuthProvider.SCHEME_PROPERTY + "=" + PubkeyIds.SCHEME)
public class PubkeyCredentialStore implements CredentialStore {
    private final SecureRandom random = new SecureRandom();

    @Override
    public String scheme() {
        return PubkeyIds.SCHEME;
    }

    @Override
    public UserCredential loadOrCreate(Path keyFile, String name) throws IOException {
        if (name != null && !name.isEmpty()) {
            throw new IllegalArgumentException("pk identities are named by their key; a name is not used: " + name);
        }
        if (Files.notExists(keyFile)) {
            Ed25519PrivateKeyParameters key = new Ed25519PrivateKeyParameters(random);
            // the loser of a race with another daemon reads the winner's key below, as the winner does
            KeyFile.createIfAbsent(keyFile, PrivateKeyInfoFactory.createPrivateKeyInfo(key).getEncoded());
        }
        return new PubkeyCredential(ed25519(keyFile, KeyFile.read(keyFile)));
    }

    private static Ed25519PrivateKeyParameters ed25519(Path keyFile, byte[] der) throws IOException {
        AsymmetricKeyParameter key;
        try {
            key = PrivateKeyFactory.createKey(PrivateKeyInfo.getInstance(der));
        } catch (IOException | RuntimeException e) {
            throw new IOException(keyFile.toAbsolutePath() + " does not hold a readable PKCS#8 key: " + e.getMessage(), e);
        }
        if (key instanceof Ed25519PrivateKeyParameters ed) {
            return ed;
        }
        throw new IOException(keyFile.toAbsolutePath() + " holds a " + key.getClass().getSimpleName()
                + ", not an Ed25519 key");
    }
}
