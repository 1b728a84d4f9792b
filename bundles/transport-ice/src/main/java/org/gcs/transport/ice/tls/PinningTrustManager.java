package org.gcs.transport.ice.tls;

import java.security.MessageDigest;
import java.security.cert.CertificateException;
import java.util.HexFormat;

/**
 * Trusts exactly one certificate: the one whose SHA-256 fingerprint the peer announced in its description. Used on both
 * ends (TLS 1.3 mutual authentication); a rejection is remembered so that the session can report a fingerprint
 * mismatch rather than a generic handshake failure.
 */
public final class PinningTrustManager extends org.gcs.api.tls.PinningTrustManager {
    public PinningTrustManager(byte[] expectedFingerprint) {
        super(Side.EITHER, fingerprint(expectedFingerprint.clone()), "the peer presented no certificate");
    }

    private static Check fingerprint(byte[] expected) {
        return leaf -> {
            byte[] actual = SessionCertificate.fingerprintOf(leaf);
            if (!MessageDigest.isEqual(actual, expected)) {
                throw new CertificateException("fingerprint mismatch: the peer's certificate has SHA-256 "
                        + HexFormat.of().formatHex(actual) + " but its description announced "
                        + HexFormat.of().formatHex(expected));
            }
            leaf.checkValidity();
        };
    }
}
