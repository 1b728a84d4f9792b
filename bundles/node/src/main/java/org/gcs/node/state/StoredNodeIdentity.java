package org.gcs.node.state;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.gcs.api.NodeId;
import org.gcs.api.node.NodeIdentity;

/**
 * A node's long-term TLS identity: an ECDSA P-256 key pair and a self-signed certificate over it, kept as PEM files in
 * the state directory ({@code node-key.pem} readable by the owner only, {@code node-cert.pem}). The {@link NodeId} is
 * the SHA-256 of the certificate's public key, so it stays the same as long as the key file is kept. Thread-safe.
 */
public final class StoredNodeIdentity implements NodeIdentity {
    public static final String KEY_FILE = "node-key.pem";
    public static final String CERT_FILE = "node-cert.pem";
    private static final Duration VALIDITY = Duration.ofDays(365L * 50);
    private static final String SIGNATURE = "SHA256withECDSA";

    private final PrivateKey privateKey;
    private final X509Certificate certificate;
    private final NodeId id;

    private StoredNodeIdentity(PrivateKey privateKey, X509Certificate certificate) {
        this.privateKey = privateKey;
        this.certificate = certificate;
        this.id = NodeId.fromPublicKey(certificate.getPublicKey().getEncoded());
    }

    /** Loads the identity kept in {@code stateDir}, creating and storing a new one first if there is none. */
    public static StoredNodeIdentity loadOrCreate(Path stateDir) throws IOException {
        StateFiles.createPrivateDirectory(stateDir);
        Path keyFile = stateDir.resolve(KEY_FILE);
        Path certFile = stateDir.resolve(CERT_FILE);
        try {
            if (!Files.exists(keyFile) || !Files.exists(certFile)) {
                create(keyFile, certFile);
            }
            return load(keyFile, certFile);
        } catch (GeneralSecurityException | OperatorCreationException e) {
            throw new IOException("cannot load or create the node identity in " + stateDir + ": " + e.getMessage(), e);
        }
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
            Signature signer = Signature.getInstance(SIGNATURE);
            signer.initSign(privateKey);
            signer.update(data);
            return signer.sign();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the node key cannot sign: " + e.getMessage(), e);
        }
    }

    private static void create(Path keyFile, Path certFile) throws GeneralSecurityException, OperatorCreationException,
            IOException {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(new ECGenParameterSpec("secp256r1"), new SecureRandom());
        KeyPair keys = generator.generateKeyPair();
        NodeId id = NodeId.fromPublicKey(keys.getPublic().getEncoded());
        X500Name name = new X500Name("CN=GCS node " + id.toString().substring(0, 16));
        Instant now = Instant.now();
        X509CertificateHolder holder = new JcaX509v3CertificateBuilder(name, new BigInteger(64, new SecureRandom()),
                Date.from(now.minus(Duration.ofDays(1))), Date.from(now.plus(VALIDITY)), name, keys.getPublic())
                .build(new JcaContentSignerBuilder("SHA256withECDSA").build(keys.getPrivate()));

        writePem(keyFile, "PRIVATE KEY", keys.getPrivate().getEncoded(), "rw-------");
        writePem(certFile, "CERTIFICATE", holder.getEncoded(), "rw-r--r--");
    }

    private static StoredNodeIdentity load(Path keyFile, Path certFile) throws GeneralSecurityException, IOException {
        PrivateKey key = KeyFactory.getInstance("EC").generatePrivate(new PKCS8EncodedKeySpec(readPem(keyFile, "PRIVATE KEY")));
        X509Certificate cert = (X509Certificate) CertificateFactory.getInstance("X.509")
                .generateCertificate(new ByteArrayInputStream(readPem(certFile, "CERTIFICATE")));
        requireMatchingPair(key, cert);
        return new StoredNodeIdentity(key, cert);
    }

    /** Signs and verifies a probe so a key file and a certificate from different pairs are caught at start. */
    private static void requireMatchingPair(PrivateKey key, X509Certificate cert) throws GeneralSecurityException {
        byte[] probe = "gcs node key check".getBytes(StandardCharsets.US_ASCII);
        Signature signer = Signature.getInstance("SHA256withECDSA");
        signer.initSign(key);
        signer.update(probe);
        byte[] signature = signer.sign();
        Signature verifier = Signature.getInstance("SHA256withECDSA");
        verifier.initVerify(cert.getPublicKey());
        verifier.update(probe);
        if (!verifier.verify(signature)) {
            throw new GeneralSecurityException("the node key does not match the node certificate");
        }
    }

    private static void writePem(Path file, String type, byte[] der, String permissions) throws IOException {
        String pem = "-----BEGIN " + type + "-----\n"
                + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der)
                + "\n-----END " + type + "-----\n";
        Path tmp = Files.createTempFile(file.toAbsolutePath().getParent(), "." + file.getFileName(), ".tmp");
        try {
            StateFiles.setPermissions(tmp, permissions);
            Files.writeString(tmp, pem, StandardCharsets.US_ASCII);
            StateFiles.moveAtomically(tmp, file);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    private static byte[] readPem(Path file, String type) throws IOException {
        String text = Files.readString(file, StandardCharsets.US_ASCII).trim();
        String begin = "-----BEGIN " + type + "-----";
        String end = "-----END " + type + "-----";
        if (!text.startsWith(begin) || !text.endsWith(end)) {
            throw new IOException(file + " is not a PEM " + type);
        }
        try {
            return Base64.getMimeDecoder().decode(text.substring(begin.length(), text.length() - end.length()));
        } catch (IllegalArgumentException e) {
            throw new IOException(file + " holds invalid base64: " + e.getMessage(), e);
        }
    }
}
