package org.gcs.routing.kademlia.link;

import java.net.Socket;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedTrustManager;
import org.gcs.api.NodeId;

/**
 * The dialer's trust: exactly the node whose certificate's public key (SubjectPublicKeyInfo DER) hashes with SHA-256 to
 * the dialed {@link NodeId}. Names, issuers and dates do not matter; the key is the identity. Extends
 * {@link X509ExtendedTrustManager} so the JDK does not wrap it with hostname checks. One instance per dial: it
 * remembers why it refused, so the dial can fail with that reason rather than a bare handshake failure.
 */
final class PinnedNodeTrustManager extends X509ExtendedTrustManager {
    private static final X509Certificate[] NONE = new X509Certificate[0];
    private final NodeId expected;
    private volatile String rejection;

    PinnedNodeTrustManager(NodeId expected) {
        this.expected = expected;
    }

    /** Why the server's certificate was refused, or {@code null}. */
    String rejection() {
        return rejection;
    }

    private void check(X509Certificate[] chain) throws CertificateException {
        if (chain == null || chain.length == 0) {
            rejection = "the node sent no certificate";
            throw new CertificateException(rejection);
        }
        NodeId actual = NodeId.fromPublicKey(chain[0].getPublicKey().getEncoded());
        if (!actual.equals(expected)) {
            rejection = "wrong node: expected node " + expected + " but the certificate's key hashes to " + actual;
            throw new CertificateException(rejection);
        }
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        check(chain);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
        check(chain);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
        check(chain);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        throw new CertificateException("a dialer trusts no clients");
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
        throw new CertificateException("a dialer trusts no clients");
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
        throw new CertificateException("a dialer trusts no clients");
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
        return NONE;
    }
}
