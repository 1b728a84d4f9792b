package org.gcs.internal.identity;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPrivateKey;
import java.security.spec.ECFieldFp;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.ECPublicKeySpec;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x9.ECNamedCurveTable;
import org.bouncycastle.asn1.x9.X9ECParameters;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.math.ec.ECPoint;
import org.bouncycastle.math.ec.FixedPointCombMultiplier;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.gcs.api.NodeId;

/**
 * The cryptography of a node identity: ECDSA P-256 keys (Netty QUIC's quiche refuses Ed25519 certificates), the
 * self-signed certificate over them, and the public key recomputed from the private key so that a lost certificate
 * can be rebuilt without changing the {@link NodeId}.
 */
final class NodeKeys {
    static final String SIGNATURE = "SHA256withECDSA";
    private static final String CURVE = "secp256r1";
    private static final Duration VALIDITY = Duration.ofDays(365L * 50);

    private NodeKeys() {
    }

    static PrivateKey generate() throws GeneralSecurityException {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(new ECGenParameterSpec(CURVE), new SecureRandom());
        return generator.generateKeyPair().getPrivate();
    }

    /** Parses a PKCS#8 P-256 private key. */
    static PrivateKey privateKey(byte[] pkcs8) throws GeneralSecurityException {
        PrivateKey key = KeyFactory.getInstance("EC").generatePrivate(new PKCS8EncodedKeySpec(pkcs8));
        publicKeyOf(key);
        return key;
    }

    static X509Certificate certificate(byte[] der) throws GeneralSecurityException {
        return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(new ByteArrayInputStream(der));
    }

    /** The public half of a P-256 private key: Q = d·G. */
    static PublicKey publicKeyOf(PrivateKey key) throws GeneralSecurityException {
        X9ECParameters p256 = ECNamedCurveTable.getByName(CURVE);
        if (!(key instanceof ECPrivateKey ec) || !(ec.getParams().getCurve().getField() instanceof ECFieldFp field)
                || !field.getP().equals(p256.getCurve().getField().getCharacteristic())
                || !ec.getParams().getOrder().equals(p256.getN())) {
            throw new GeneralSecurityException("not an ECDSA P-256 private key");
        }
        ECPoint q = new FixedPointCombMultiplier().multiply(p256.getG(), ec.getS()).normalize();
        java.security.spec.ECPoint w = new java.security.spec.ECPoint(q.getAffineXCoord().toBigInteger(),
                q.getAffineYCoord().toBigInteger());
        return KeyFactory.getInstance("EC").generatePublic(new ECPublicKeySpec(w, ec.getParams()));
    }

    /** A self-signed certificate over {@code key}'s public key, its subject naming the node id. */
    static byte[] selfSignedCertificate(PrivateKey key) throws GeneralSecurityException, IOException {
        PublicKey publicKey = publicKeyOf(key);
        NodeId id = NodeId.fromPublicKey(publicKey.getEncoded());
        X500Name name = new X500Name("CN=GCS node " + id.toString().substring(0, 16));
        Instant now = Instant.now();
        try {
            return new JcaX509v3CertificateBuilder(name, new BigInteger(64, new SecureRandom()),
                    Date.from(now.minus(Duration.ofDays(1))), Date.from(now.plus(VALIDITY)), name, publicKey)
                    .build(new JcaContentSignerBuilder(SIGNATURE).build(key))
                    .getEncoded();
        } catch (OperatorCreationException e) {
            throw new GeneralSecurityException("cannot sign the node certificate: " + e.getMessage(), e);
        }
    }

    /** Whether {@code cert} certifies {@code key}'s public half: a signed probe verifies with it. */
    static boolean matches(PrivateKey key, X509Certificate cert) throws GeneralSecurityException {
        byte[] probe = "gcs node key check".getBytes(StandardCharsets.US_ASCII);
        Signature signer = Signature.getInstance(SIGNATURE);
        signer.initSign(key);
        signer.update(probe);
        byte[] signature = signer.sign();
        Signature verifier = Signature.getInstance(SIGNATURE);
        verifier.initVerify(cert.getPublicKey());
        verifier.update(probe);
        return verifier.verify(signature);
    }
}
