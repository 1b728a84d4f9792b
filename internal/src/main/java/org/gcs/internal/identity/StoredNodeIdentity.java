package org.gcs.internal.identity;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.X509Certificate;
import org.gcs.api.NodeId;
import org.gcs.api.node.NodeIdentity;
import org.gcs.internal.files.AtomicFiles;
import org.gcs.internal.files.PrivateKeyFiles;

/**
 * A node's long-term TLS identity: an ECDSA P-256 key pair and a self-signed certificate over it, kept as PEM files in
 * the state directory ({@code node-key.pem}, PKCS#8, {@code rw-------}; {@code node-cert.pem}). The {@link NodeId} is
 * the SHA-256 of the certificate's public key, so it stays the same as long as the key file is kept.
 *
 * <p>The key file is the identity: it is made only where none exists (of several starts racing on one directory,
 * exactly one makes it and all use it), never replaced, and a key file that cannot be read or parsed, or that group
 * or others may access, stops the node with an error naming the file. The certificate is derived from the key: a
 * missing one is rebuilt from it. Thread-safe.
 */
public final class StoredNodeIdentity implements NodeIdentity {
    public static final String KEY_FILE = "node-key.pem";
    public static final String CERT_FILE = "node-cert.pem";
    private static final System.Logger LOG = System.getLogger(StoredNodeIdentity.class.getName());

    private final PrivateKey privateKey;
    private final X509Certificate certificate;
    private final NodeId id;

    private StoredNodeIdentity(PrivateKey privateKey, X509Certificate certificate) {
        this.privateKey = privateKey;
        this.certificate = certificate;
        this.id = NodeId.fromPublicKey(certificate.getPublicKey().getEncoded());
    }

    /**
     * Loads the identity kept in {@code stateDir}: makes a key first if there is no key file, and a certificate from the
     * key if there is no certificate file.
     *
     * @throws IOException naming the file, when the key or certificate cannot be read or used
     */
    public static StoredNodeIdentity loadOrCreate(Path stateDir) throws IOException {
        AtomicFiles.createPrivateDirectory(stateDir);
        Path keyFile = stateDir.resolve(KEY_FILE).toAbsolutePath();
        Path certFile = stateDir.resolve(CERT_FILE).toAbsolutePath();
        if (Files.notExists(keyFile) && createKey(keyFile)) {
            LOG.log(System.Logger.Level.INFO, "made a new node key in " + keyFile);
        }
        PrivateKey key = readKey(keyFile);
        if (Files.notExists(certFile) && createCertificate(certFile, key)) {
            LOG.log(System.Logger.Level.INFO, "made the node certificate " + certFile + " from the key in " + keyFile);
        }
        X509Certificate cert = readCertificate(certFile);
        try {
            if (!NodeKeys.matches(key, cert)) {
                throw new IOException("the node certificate " + certFile + " is not for the key in " + keyFile
                        + "; delete the certificate to have it made again from the key");
            }
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot check the node certificate " + certFile + " against " + keyFile + ": "
                    + e.getMessage(), e);
        }
        return new StoredNodeIdentity(key, cert);
    }

    @Override
    public NodeId id() {
        return id;
    }

    @Override
    public PrivateKey privateKey() {
        return privateKey;
    }

    @Override
    public X509Certificate certificate() {
        return certificate;
    }

    @Override
    public byte[] sign(byte[] data) {
        try {
            Signature signer = Signature.getInstance(NodeKeys.SIGNATURE);
            signer.initSign(privateKey);
            signer.update(data);
            return signer.sign();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the node key cannot sign: " + e.getMessage(), e);
        }
    }

    private static boolean createKey(Path keyFile) throws IOException {
        try {
            return AtomicFiles.createIfAbsent(keyFile, Pem.encode(Pem.PRIVATE_KEY, NodeKeys.generate().getEncoded()),
                    AtomicFiles.OWNER_ONLY);
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot make a node key: " + e.getMessage(), e);
        }
    }

    private static boolean createCertificate(Path certFile, PrivateKey key) throws IOException {
        try {
            return AtomicFiles.createIfAbsent(certFile, Pem.encode(Pem.CERTIFICATE, NodeKeys.selfSignedCertificate(key)),
                    AtomicFiles.READABLE_BY_ALL);
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot make the node certificate " + certFile + ": " + e.getMessage(), e);
        }
    }

    private static PrivateKey readKey(Path keyFile) throws IOException {
        byte[] der = Pem.decode(PrivateKeyFiles.read(keyFile), Pem.PRIVATE_KEY, keyFile);
        try {
            return NodeKeys.privateKey(der);
        } catch (GeneralSecurityException e) {
            throw new IOException(keyFile + " does not hold a PKCS#8 ECDSA P-256 node key: " + e.getMessage(), e);
        }
    }

    private static X509Certificate readCertificate(Path certFile) throws IOException {
        String remedy = " (delete it to have it made again from the node key)";
        try {
            return NodeKeys.certificate(Pem.decode(Files.readAllBytes(certFile), Pem.CERTIFICATE, certFile));
        } catch (GeneralSecurityException e) {
            throw new IOException(certFile + " does not hold an X.509 certificate" + remedy + ": " + e.getMessage(), e);
        } catch (IOException e) {
            throw new IOException(e.getMessage() + remedy, e);
        }
    }
}
