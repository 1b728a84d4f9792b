package org.gcs.routing.kademlia.link;

import java.math.BigInteger;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/** Test fixture: fresh node identities made like the node's {@code NodeIdentity} (ECDSA P-256, self-signed). */
public final class TestKeys {
    private TestKeys() {
    }

    public static NodeKeys generate() {
        KeyPair pair = keyPair();
        return new NodeKeys(pair.getPrivate(), selfSigned(pair));
    }

    static KeyPair keyPair() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec("secp256r1"), new SecureRandom());
            return generator.generateKeyPair();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** A self-signed certificate over {@code pair}'s public key. */
    static X509Certificate selfSigned(KeyPair pair) {
        return signed(pair, pair);
    }

    /** A certificate over {@code subject}'s public key signed by {@code issuer}'s key (not self-signed if they differ). */
    static X509Certificate signed(KeyPair subject, KeyPair issuer) {
        try {
            X500Name name = new X500Name("CN=GCS test node");
            Instant now = Instant.now();
            return new JcaX509CertificateConverter().getCertificate(new JcaX509v3CertificateBuilder(name,
                    new BigInteger(64, new SecureRandom()), Date.from(now.minus(Duration.ofDays(1))),
                    Date.from(now.plus(Duration.ofDays(365))), name, subject.getPublic())
                    .build(new JcaContentSignerBuilder("SHA256withECDSA").build(issuer.getPrivate())));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
