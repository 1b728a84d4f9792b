package org.gcs.auth.pubkey;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;
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
 * with owner-only permissions on first use.
 */
@Component(property = AuthProvider.SCHEME_PROPERTY + "=" + PubkeyIds.SCHEME)
public class PubkeyCredentialStore implements CredentialStore {
    private static final String BEGIN = "-----BEGIN PRIVATE KEY-----";
    private static final String END = "-----END PRIVATE KEY-----";
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
        if (!Files.exists(keyFile)) {
            create(keyFile);
        }
        return new PubkeyCredential(read(keyFile));
    }

    private void create(Path keyFile) throws IOException {
        Ed25519PrivateKeyParameters key = new Ed25519PrivateKeyParameters(random);
        byte[] der = PrivateKeyInfoFactory.createPrivateKeyInfo(key).getEncoded();
        String pem = BEGIN + "\n" + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der) + "\n" + END + "\n";
        Path dir = keyFile.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path tmp = Files.createTempFile(dir, ".user-key", ".tmp");
        try {
            restrictToOwner(tmp);
            Files.writeString(tmp, pem, StandardCharsets.US_ASCII);
            try {
                Files.move(tmp, keyFile, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, keyFile);
            }
        } catch (FileAlreadyExistsException raced) {
            // another process created it first: use theirs
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    private static void restrictToOwner(Path file) throws IOException {
        try {
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        } catch (UnsupportedOperationException notPosix) {
            file.toFile().setReadable(false, false);
            file.toFile().setReadable(true, true);
        }
    }

    private static Ed25519PrivateKeyParameters read(Path keyFile) throws IOException {
        String text = Files.readString(keyFile, StandardCharsets.US_ASCII).trim();
        if (!text.startsWith(BEGIN) || !text.endsWith(END)) {
            throw new IOException(keyFile + " is not a PEM private key");
        }
        String body = text.substring(BEGIN.length(), text.length() - END.length());
        try {
            byte[] der = Base64.getMimeDecoder().decode(body);
            AsymmetricKeyParameter key = PrivateKeyFactory.createKey(PrivateKeyInfo.getInstance(der));
            if (key instanceof Ed25519PrivateKeyParameters ed) {
                return ed;
            }
            throw new IOException(keyFile + " holds a " + key.getClass().getSimpleName() + ", not an Ed25519 key");
        } catch (IllegalArgumentException | ClassCastException e) {
            throw new IOException(keyFile + " does not hold a readable PKCS#8 key: " + e.getMessage(), e);
        }
    }
}
