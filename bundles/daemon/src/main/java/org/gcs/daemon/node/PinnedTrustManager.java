package org.gcs.daemon.node;

import java.net.Socket;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedTrustManager;
import org.gcs.api.NodeId;

/**
 * Trusts exactly one server: the node whose certificate's public key (SubjectPublicKeyInfo DER) hashes with SHA-256 to
 * the pinned {@link NodeId}. Names, issuers and dates do not matter; the key is the identity. Extends
 * {@link X509ExtendedTrustManager} so the JDK does not wrap it with hostname checks. Never trusts clients.
 */
public final class PinnedTrustManager extends X509ExtendedTrustManager {
    private static final X509Certificate[] NONE = new X509Certificate[0];
    private final NodeId pinned;

    public PinnedTrustManager(NodeId pinned) {
        this.pinned = pinned;
    }

    /** Checks the leaf certificate of {@code chain} against the pinned id. */
    public void check(X509Certificate[] chain) throws CertificateException {
        if (chain == null || chain.length == 0) {
            throw new CertificateException("the node sent no certificate");
        }
        NodeId actual = NodeId.fromPublicKey(chain[0].getPublicKey().getEncoded());
        if (!actual.equals(pinned)) {
            throw new CertificateException("node certificate refused: its key hashes to " + actual
                    + " but node_id is pinned to " + pinned);
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
        throw new CertificateException("a daemon trusts no clients");
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
        throw new CertificateException("a daemon trusts no clients");
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
        throw new CertificateException("a daemon trusts no clients");
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
        return NONE;
    }
}
