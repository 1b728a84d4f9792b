package org.gcs.transport.ice.tls;

import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A fresh self-signed ECDSA P-256 certificate for one session (Ed25519 fails in quiche). Nobody checks its name or
 * issuer: the peer pins its SHA-256 {@link #fingerprint()}, which travels in the session description.
 */
public final class SessionCertificate {
    private static final SecureRandom RANDOM = new SecureRandom();

    private final PrivateKey privateKey;
    private final X509Certificate certificate;
    private final byte[] fingerprint;

    private SessionCertificate(PrivateKey privateKey, X509Certificate certificate) {
        this.privateKey = privateKey;
        this.certificate = certificate;
        this.fingerprint = fingerprintOf(certificate);
    }

    /** Generates a key pair and a certificate valid from an hour ago for {@code validity}. */
    public static SessionCertificate generate(Duration validity) {
        try {
            KeyPairGenerator kpg = KeyPairGenerator.getInstance("EC");
            kpg.initialize(new ECGenParameterSpec("secp256r1"), RANDOM);
            KeyPair kp = kpg.generateKeyPair();
            X500Name name = new X500Name("CN=gcs-p2p-session");
            Instant now = Instant.now();
            JcaX509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(name, new BigInteger(64, RANDOM).abs(),
                    Date.from(now.minus(Duration.ofHours(1))), Date.from(now.plus(validity)), name, kp.getPublic());
            ContentSigner signer = new JcaContentSignerBuilder("SHA256withECDSA").build(kp.getPrivate());
            X509CertificateHolder holder = builder.build(signer);
            X509Certificate cert = new JcaX509CertificateConverter().getCertificate(holder);
            return new SessionCertificate(kp.getPrivate(), cert);
        } catch (GeneralSecurityException | OperatorCreationException e) {
            throw new IllegalStateException("cannot create a session certificate", e);
        }
    }

    /** SHA-256 over the DER encoding of {@code cert}. */
    public static byte[] fingerprintOf(X509Certificate cert) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(cert.getEncoded());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e instanceof CertificateEncodingException ? "bad certificate" : "no SHA-256", e);
        }
    }

    public PrivateKey privateKey() {
        return privateKey;
    }

    public X509Certificate certificate() {
        return certificate;
    }

    public byte[] fingerprint() {
        return fingerprint.clone();
    }
}
