package org.gcs.transport.ice.tls;

import java.net.Socket;
import java.security.MessageDigest;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.HexFormat;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * Trusts exactly one certificate: the one whose SHA-256 fingerprint the peer announced in its description. Used on both
 * ends (TLS 1.3 mutual authentication); it extends {@link X509ExtendedTrustManager} because quiche's BoringSSL bridge
 * in Netty calls the engine-aware methods. A rejection is remembered so that the session can report a fingerprint
 * mismatch rather than a generic handshake failure.
 */
public final class PinningTrustManager extends X509ExtendedTrustManager {
    private static final X509Certificate[] NONE = new X509Certificate[0];

    private final byte[] expected;
    private volatile String rejection;

    public PinningTrustManager(byte[] expectedFingerprint) {
        this.expected = expectedFingerprint.clone();
    }

    /** Why the peer's certificate was rejected, or {@code null} if it was not. */
    public String rejection() {
        return rejection;
    }

    private void check(X509Certificate[] chain) throws CertificateException {
        if (chain == null || chain.length == 0) {
            rejection = "the peer presented no certificate";
            throw new CertificateException(rejection);
        }
        byte[] actual = SessionCertificate.fingerprintOf(chain[0]);
        if (!MessageDigest.isEqual(actual, expected)) {
            rejection = "fingerprint mismatch: the peer's certificate has SHA-256 " + HexFormat.of().formatHex(actual)
                    + " but its description announced " + HexFormat.of().formatHex(expected);
            throw new CertificateException(rejection);
        }
        chain[0].checkValidity();
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        check(chain);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        check(chain);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
        check(chain);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
        check(chain);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
        check(chain);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
        check(chain);
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
        return NONE;
    }
}
