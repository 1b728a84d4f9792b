package org.gcs.api.tls;

import java.net.Socket;
import java.security.GeneralSecurityException;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.Objects;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedTrustManager;
import org.gcs.api.NodeId;

/**
 * Trusts a TLS peer for what its leaf certificate proves (its key hashes to a node id, or the certificate has a
 * fingerprint announced beforehand), never for names, issuers or CAs. Every variant in GCS is this class with its own
 * {@link Check}: daemons pin their node, nodes pin each other, QUIC channels pin the peer's session certificate.
 *
 * <p>It extends {@link X509ExtendedTrustManager} so the JDK does not wrap it with hostname checks and so Netty's QUIC
 * (BoringSSL) bridge, which calls the engine-aware methods, uses it. It trusts only the side it is made for (servers,
 * clients or either); the other side is refused. It remembers why it refused, so a failed handshake can say why.
 * Thread-safe.
 */
public class PinningTrustManager extends X509ExtendedTrustManager {
    /** What the peer's leaf certificate must satisfy; throws with the reason when it does not. */
    @FunctionalInterface
    public interface Check {
        void check(X509Certificate leaf) throws CertificateException;
    }

    /** Which peers this trust manager is for. */
    public enum Side {
        /** The peer is a server: this end dials. */
        SERVERS,
        /** The peer is a client: this end listens. */
        CLIENTS,
        /** Either (a symmetric protocol, e.g. both ends of a QUIC channel). */
        EITHER
    }

    private static final X509Certificate[] NONE = new X509Certificate[0];

    private final Side side;
    private final Check check;
    private final String noCertificate;
    private volatile String rejection;

    /**
     * @param noCertificate the reason given when the peer presents no certificate at all
     */
    public PinningTrustManager(Side side, Check check, String noCertificate) {
        this.side = Objects.requireNonNull(side, "side");
        this.check = Objects.requireNonNull(check, "check");
        this.noCertificate = Objects.requireNonNull(noCertificate, "noCertificate");
    }

    /** A check that the certificate's public key (SubjectPublicKeyInfo DER) hashes with SHA-256 to {@code expected}. */
    public static Check keyHashesTo(NodeId expected, String what) {
        Objects.requireNonNull(expected, "expected");
        return leaf -> {
            NodeId actual = NodeId.fromPublicKey(leaf.getPublicKey().getEncoded());
            if (!actual.equals(expected)) {
                throw new CertificateException(what + ": expected node " + expected + " but the certificate's key hashes to "
                        + actual);
            }
        };
    }

    /** A check that the certificate is signed by its own key (a node's self-signed certificate). */
    public static Check selfSigned(String what) {
        return leaf -> {
            try {
                leaf.verify(leaf.getPublicKey());
            } catch (GeneralSecurityException e) {
                throw new CertificateException(what + " is not self-signed: " + e.getMessage(), e);
            }
        };
    }

    /** Why the peer's certificate was refused, or {@code null} if it was not. */
    public String rejection() {
        return rejection;
    }

    /** Checks the leaf certificate of {@code chain} (whichever side it comes from). */
    public void check(X509Certificate[] chain) throws CertificateException {
        if (chain == null || chain.length == 0) {
            rejection = noCertificate;
            throw new CertificateException(noCertificate);
        }
        try {
            check.check(chain[0]);
        } catch (CertificateException e) {
            rejection = e.getMessage();
            throw e;
        }
    }

    private void checkSide(X509Certificate[] chain, Side peer) throws CertificateException {
        if (side != Side.EITHER && side != peer) {
            throw new CertificateException(side == Side.SERVERS ? "a dialer trusts no clients" : "a listener trusts no servers");
        }
        check(chain);
    }

    @Override
    public final void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        checkSide(chain, Side.CLIENTS);
    }

    @Override
    public final void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
        checkSide(chain, Side.CLIENTS);
    }

    @Override
    public final void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
            throws CertificateException {
        checkSide(chain, Side.CLIENTS);
    }

    @Override
    public final void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        checkSide(chain, Side.SERVERS);
    }

    @Override
    public final void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
        checkSide(chain, Side.SERVERS);
    }

    @Override
    public final void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
            throws CertificateException {
        checkSide(chain, Side.SERVERS);
    }

    @Override
    public final X509Certificate[] getAcceptedIssuers() {
        return NONE;
    }
}
