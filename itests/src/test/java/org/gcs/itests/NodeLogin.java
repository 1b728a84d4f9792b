package org.gcs.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;

import com.google.protobuf.ByteString;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.List;
import javax.net.ssl.SSLSocket;
import org.gcs.api.DeviceId;
import org.gcs.api.NodeId;
import org.gcs.api.auth.AuthTranscript;
import org.gcs.api.auth.UserCredential;
import org.gcs.api.wire.Frames;
import org.gcs.api.wire.NodeWire;
import org.gcs.api.wire.NodeWire.NodeFrame;
import org.gcs.api.wire.WireVersions;

/** One device's connection to a node over pinned TLS, spoken frame by frame as a daemon would (in-framework tests). */
final class NodeLogin implements AutoCloseable {
    private final SSLSocket socket;
    private final OutputStream out;
    private final InputStream in;
    private long nonce;

    private NodeLogin(SSLSocket socket) throws Exception {
        this.socket = socket;
        this.out = socket.getOutputStream();
        this.in = socket.getInputStream();
    }

    static NodeLogin connect(int port, String nodeId) throws Exception {
        return new NodeLogin(PinnedTls.connect("127.0.0.1", port, nodeId));
    }

    /** Hello, Challenge, Authenticate (friends uploaded); the node's last answer: Welcome or Error. */
    NodeFrame login(UserCredential user, String device, List<String> friends) throws Exception {
        send(NodeFrame.newBuilder().setHello(NodeWire.Hello.newBuilder()
                .setProtocolVersion(WireVersions.NODE_PROTOCOL).setUserId(user.user().toString())
                .setDeviceId(device).setPublicKey(ByteString.copyFrom(user.publicKey()))).build());
        NodeFrame first = receive();
        if (!first.hasChallenge()) {
            return first;
        }
        NodeWire.Challenge challenge = first.getChallenge();
        byte[] signature = user.sign(AuthTranscript.nodeLogin(NodeId.of(challenge.getNodeId().toByteArray()),
                challenge.getNonce().toByteArray(), user.user(), DeviceId.of(device)));
        send(NodeFrame.newBuilder().setAuthenticate(NodeWire.Authenticate.newBuilder()
                .setSignature(ByteString.copyFrom(signature)).setUploadFriends(true).addAllFriends(friends)).build());
        return receive();
    }

    NodeFrame loginOk(UserCredential user, String device, List<String> friends) throws Exception {
        NodeFrame answer = login(user, device, friends);
        assertTrue("expected Welcome, got " + answer, answer.hasWelcome());
        return answer;
    }

    /** The status of a DevicesQuery for {@code user}, after a ping that proves this session is still served. */
    NodeWire.Status devices(String user) throws Exception {
        long id = ++nonce;
        send(NodeFrame.newBuilder().setPing(NodeWire.Ping.newBuilder().setNonce(id)).build());
        assertEquals(NodeFrame.BodyCase.PONG, receive().getBodyCase());
        send(NodeFrame.newBuilder().setDevicesQuery(NodeWire.DevicesQuery.newBuilder().setRequestId(id).setUserId(user))
                .build());
        NodeFrame answer = receive();
        assertTrue("expected DevicesAnswer, got " + answer, answer.hasDevicesAnswer());
        return answer.getDevicesAnswer().getStatus();
    }

    void send(NodeFrame frame) throws Exception {
        Frames.write(out, frame.toByteArray());
    }

    NodeFrame receive() throws Exception {
        byte[] bytes = Frames.read(in, WireVersions.MAX_FRAME_BYTES);
        assertNotNull("node closed the connection", bytes);
        return NodeFrame.parseFrom(bytes);
    }

    /** Whether the node has closed this connection (reads until end of stream). */
    boolean closedByNode() {
        try {
            for (int i = 0; i < 10; i++) {
                if (Frames.read(in, WireVersions.MAX_FRAME_BYTES) == null) {
                    return true;
                }
            }
            return false;
        } catch (java.io.IOException closed) {
            return true;
        }
    }

    @Override
    public void close() throws Exception {
        socket.close();
    }
}
