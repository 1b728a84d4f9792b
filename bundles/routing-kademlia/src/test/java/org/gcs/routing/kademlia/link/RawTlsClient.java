package org.gcs.routing.kademlia.link;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509ExtendedTrustManager;
import org.gcs.api.NodeId;
import org.gcs.routing.kademlia.link.wire.LinkWire.LinkFrame;

/**
 * Test fixture: a blocking TLS 1.3 client (plain JDK sockets, no Netty) that presents a node certificate and writes
 * whatever frames or bytes a test wants, to play a misbehaving node. Reads time out after 5 s.
 */
final class RawTlsClient implements AutoCloseable {
    private static final char[] PASSWORD = "test".toCharArray();
    private final SSLSocket socket;
    private final DataInputStream in;
    private final OutputStream out;

    private RawTlsClient(SSLSocket socket) throws IOException {
        this.socket = socket;
        this.in = new DataInputStream(socket.getInputStream());
        this.out = socket.getOutputStream();
    }

    /** Connects and completes the TLS handshake presenting {@code keys}; trusts any server. */
    static RawTlsClient connect(NodeKeys keys, InetSocketAddress address) throws Exception {
        KeyStore store = KeyStore.getInstance("PKCS12");
        store.load(null, null);
        store.setKeyEntry("node", keys.privateKey(), PASSWORD, new Certificate[] {keys.certificate()});
        KeyManagerFactory keyManagers = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        keyManagers.init(store, PASSWORD);
        SSLContext tls = SSLContext.getInstance("TLSv1.3");
        tls.init(keyManagers.getKeyManagers(), new TrustManager[] {new TrustAll()}, null);
        SSLSocket socket = (SSLSocket) tls.getSocketFactory().createSocket();
        socket.setEnabledProtocols(new String[] {"TLSv1.3"});
        socket.connect(address, 2000);
        socket.setSoTimeout(5000);
        socket.startHandshake();
        return new RawTlsClient(socket);
    }

    /** Sends a hello claiming {@code claimed}, listening on {@code port}. */
    void hello(NodeId claimed, int port) throws IOException {
        write(LinkFrames.hello(claimed, "127.0.0.1", port));
    }

    void write(LinkFrame frame) throws IOException {
        byte[] body = frame.toByteArray();
        writeRaw(lengthOf(body.length));
        writeRaw(body);
    }

    void writeRaw(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
    }

    static byte[] lengthOf(int length) {
        return new byte[] {(byte) (length >>> 24), (byte) (length >>> 16), (byte) (length >>> 8), (byte) length};
    }

    /** The next frame. */
    LinkFrame read() throws IOException {
        int length = in.readInt();
        byte[] body = new byte[length];
        in.readFully(body);
        return LinkFrame.parseFrom(body);
    }

    /**
     * Reads until the server closes (at most 100 frames, 5 s per read) and returns the reason of its Goodbye, or
     * {@code null} if it closed without one.
     *
     * @throws SocketTimeoutException if the server did not close
     */
    String readUntilClosed() throws IOException {
        String reason = null;
        for (int i = 0; i < 100; i++) {
            LinkFrame frame;
            try {
                frame = read();
            } catch (SocketTimeoutException e) {
                throw e;
            } catch (EOFException e) {
                return reason;
            } catch (IOException e) {
                return reason; // reset or TLS alert: closed all the same
            }
            if (frame.hasGoodbye()) {
                reason = frame.getGoodbye().getReason();
            }
        }
        throw new IllegalStateException("the server kept sending frames");
    }

    Socket socket() {
        return socket;
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }

    private static final class TrustAll extends X509ExtendedTrustManager {
        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) {
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) {
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) {
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) {
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    }
}
