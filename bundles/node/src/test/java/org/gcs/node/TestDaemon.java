package org.gcs.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.SocketException;
import java.security.SecureRandom;
import java.util.List;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import org.gcs.api.DeviceId;
import org.gcs.api.NodeId;
import org.gcs.api.auth.AuthTranscript;
import org.gcs.api.auth.UserCredential;
import org.gcs.api.wire.Frames;
import org.gcs.api.wire.NodeWire.Authenticate;
import org.gcs.api.wire.NodeWire.Challenge;
import org.gcs.api.wire.NodeWire.Hello;
import org.gcs.api.wire.NodeWire.NodeFrame;
import org.gcs.api.wire.NodeWire.Ping;
import org.gcs.api.wire.WireVersions;

/**
 * A blocking test daemon on a real TLS 1.3 socket that pins the node id, speaking node.proto. Every read times out after
 * a few seconds, so a test that expects a frame that never comes fails instead of hanging.
 */
final class TestDaemon implements AutoCloseable {
    private static final int READ_TIMEOUT_MILLIS = 5000;

    private final SSLSocket socket;
    private final InputStream in;
    private final OutputStream out;
    private final NodeId pinned;

    private TestDaemon(SSLSocket socket, NodeId pinned) throws IOException {
        this.socket = socket;
        this.in = socket.getInputStream();
        this.out = socket.getOutputStream();
        this.pinned = pinned;
    }

    static TestDaemon connect(int port, NodeId pinned) throws Exception {
        SSLContext tls = SSLContext.getInstance("TLSv1.3");
        tls.init(null, new TrustManager[] {new org.gcs.api.tls.PinningTrustManager(
                org.gcs.api.tls.PinningTrustManager.Side.SERVERS,
                org.gcs.api.tls.PinningTrustManager.keyHashesTo(pinned, "not the pinned node"), "no certificate")},
                new SecureRandom());
        SSLSocket socket = (SSLSocket) tls.getSocketFactory().createSocket("127.0.0.1", port);
        socket.setEnabledProtocols(new String[] {"TLSv1.3"});
        socket.setSoTimeout(READ_TIMEOUT_MILLIS);
        socket.setTcpNoDelay(true); // as the real daemon's Netty channel: no Nagle delay on small frames
        socket.startHandshake();
        return new TestDaemon(socket, pinned);
    }

    void send(NodeFrame frame) throws IOException {
        Frames.write(out, frame.toByteArray());
    }

    /** Sends a length prefix and {@code body} as they are, whatever they hold. */
    void sendRaw(int announcedLength, byte[] body) throws IOException {
        out.write(new byte[] {(byte) (announcedLength >>> 24), (byte) (announcedLength >>> 16),
                (byte) (announcedLength >>> 8), (byte) announcedLength});
        out.write(body);
        out.flush();
    }

    NodeFrame receive() throws IOException {
        byte[] bytes = Frames.read(in, WireVersions.MAX_FRAME_BYTES);
        if (bytes == null) {
            throw new IOException("node closed the connection");
        }
        return NodeFrame.parseFrom(bytes);
    }

    NodeFrame expect(NodeFrame.BodyCase body) throws IOException {
        NodeFrame frame = receive();
        assertEquals(body, frame.getBodyCase(), () -> "expected " + body + " but got " + frame);
        return frame;
    }

    /** Asserts that the node closes this connection (after any frames already sent). */
    void assertClosedByNode() {
        try {
            for (int i = 0; i < 10; i++) {
                if (Frames.read(in, WireVersions.MAX_FRAME_BYTES) == null) {
                    return;
                }
            }
            throw new AssertionError("node kept sending instead of closing");
        } catch (SocketException | SSLException | java.io.EOFException closed) {
            // closed with a reset or inside TLS: closed as well
        } catch (IOException e) {
            throw new AssertionError("node did not close the connection: " + e, e);
        }
    }

    /** Sends a ping and returns the next frame, which must be its pong if nothing else was queued for this daemon. */
    NodeFrame pingBarrier(long nonce) throws IOException {
        send(NodeFrame.newBuilder().setPing(Ping.newBuilder().setNonce(nonce)).build());
        return receive();
    }

    /** Runs the login as a daemon of {@code credential}; returns the node's last answer (Welcome or Error). */
    NodeFrame login(UserCredential credential, String device, boolean uploadFriends, List<String> friends) throws IOException {
        return login(credential, credential, device, uploadFriends, friends);
    }

    /** Claims to be {@code claimed} but signs with {@code signer}. */
    NodeFrame login(UserCredential claimed, UserCredential signer, String device, boolean uploadFriends, List<String> friends)
            throws IOException {
        send(NodeFrame.newBuilder().setHello(Hello.newBuilder()
                .setProtocolVersion(WireVersions.NODE_PROTOCOL)
                .setUserId(claimed.user().toString())
                .setDeviceId(device)
                .setPublicKey(ByteString.copyFrom(claimed.publicKey()))).build());
        NodeFrame first = receive();
        if (!first.hasChallenge()) {
            return first;
        }
        Challenge challenge = first.getChallenge();
        assertEquals(pinned, NodeId.of(challenge.getNodeId().toByteArray()), "challenge names the pinned node");
        assertEquals(32, challenge.getNonce().size());
        byte[] transcript = AuthTranscript.nodeLogin(pinned, challenge.getNonce().toByteArray(), claimed.user(),
                DeviceId.of(device));
        send(NodeFrame.newBuilder().setAuthenticate(Authenticate.newBuilder()
                .setSignature(ByteString.copyFrom(signer.sign(transcript)))
                .setUploadFriends(uploadFriends)
                .addAllFriends(friends)).build());
        return receive();
    }

    NodeFrame loginOk(UserCredential credential, String device, List<String> friends) throws IOException {
        NodeFrame answer = login(credential, device, true, friends);
        assertTrue(answer.hasWelcome(), () -> "expected Welcome but got " + answer);
        return answer;
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
