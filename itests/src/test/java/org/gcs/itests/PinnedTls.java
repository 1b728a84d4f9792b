package org.gcs.itests;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import org.gcs.api.NodeId;
import org.gcs.api.tls.PinningTrustManager;

/** A TLS 1.3 client socket that trusts exactly the node whose public key hashes to the expected node id. */
final class PinnedTls {
    private PinnedTls() {
    }

    static SSLSocket connect(String host, int port, String nodeIdHex) throws Exception {
        SSLContext context = SSLContext.getInstance("TLSv1.3");
        PinningTrustManager pin = new PinningTrustManager(PinningTrustManager.Side.SERVERS,
                PinningTrustManager.keyHashesTo(NodeId.fromHex(nodeIdHex), "not the pinned node"), "no certificate");
        context.init(null, new TrustManager[] {pin}, null);
        SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket(host, port);
        socket.setEnabledProtocols(new String[] {"TLSv1.3"});
        socket.setSoTimeout(10_000);
        socket.startHandshake();
        return socket;
    }
}
