package org.gcs.node.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.gcs.api.NodeId;
import org.gcs.api.auth.AuthProvider;
import org.gcs.api.wire.NodeWire.ErrorCode;
import org.gcs.api.wire.NodeWire.Hello;
import org.gcs.api.wire.NodeWire.NodeFrame;
import org.gcs.api.wire.NodeWire.Ping;
import org.gcs.api.wire.WireVersions;
import org.gcs.auth.pubkey.PubkeyAuthProvider;
import org.gcs.node.session.AuthProviders;
import org.gcs.node.session.ConnectionTable;
import org.gcs.node.session.LocalDevices;
import org.gcs.node.ice.IceServerDirectory;
import org.gcs.node.session.SessionContext;
import org.gcs.node.stats.NodeStats;
import org.gcs.api.routing.NodeAddress;
import org.gcs.api.wire.NodeWire.DetectedHandlers;
import org.gcs.api.wire.NodeWire.GetHandlersForUser;
import org.gcs.api.wire.NodeWire.Redirect;
import org.gcs.routing.central.CentralRouter;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The protocol pipeline above TLS on an {@link EmbeddedChannel}: framing, decoding and the login's first steps. */
class NodePipelineTest {
    private static final NodeId NODE_ID = NodeId.fromPublicKey(new byte[] {1, 2, 3});
    private static final String ALICE = "pk:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";

    private static final NodeAddress SELF = new NodeAddress(NODE_ID, "127.0.0.1", 7000);

    private final NodeStats stats = new NodeStats();
    private EmbeddedChannel channel;

    @BeforeEach
    void pipeline() {
        pipelineWhereTheRouterServes(SELF);
    }

    /** The pipeline of a node {@link #NODE_ID} whose router was started as the node {@code routerNode}. */
    private void pipelineWhereTheRouterServes(NodeAddress routerNode) {
        AuthProviders providers = new AuthProviders();
        providers.add(new PubkeyAuthProvider(), Map.of(AuthProvider.SCHEME_PROPERTY, "pk"));
        CentralRouter router = new CentralRouter();
        router.start(routerNode).join();
        ConnectionTable connections = new ConnectionTable();
        SessionContext context = new SessionContext(NODE_ID, providers, router, new LocalDevices(router, connections, stats),
                connections, stats, IceServerDirectory.of(List.of()), Duration.ofSeconds(10), 1024);
        channel = new EmbeddedChannel();
        NodeChannelInitializer.installProtocol(channel.pipeline(), context);
    }

    @Test
    void helloIsAnsweredWithAChallengeForThisNode() {
        channel.writeInbound(frame(hello(WireVersions.NODE_PROTOCOL, ALICE, "laptop")));

        NodeFrame answer = single(outbound());
        assertTrue(answer.hasChallenge(), answer::toString);
        assertEquals(ByteString.copyFrom(NODE_ID.toBytes()), answer.getChallenge().getNodeId());
        assertEquals(32, answer.getChallenge().getNonce().size());
        assertTrue(channel.isActive());
    }

    @Test
    void getHandlersForUserBeforeHelloNamesTheHandlersAndKeepsTheConnectionForTheLogin() {
        channel.writeInbound(frame(NodeFrame.newBuilder().setGetHandlersForUser(GetHandlersForUser.newBuilder()
                .setRequestId(42).setUserId(ALICE)).build().toByteArray()));

        DetectedHandlers detected = single(outbound()).getDetectedHandlers();
        assertEquals(42, detected.getRequestId());
        assertEquals(ALICE, detected.getUserId());
        assertEquals(1, detected.getHandlersCount());
        assertEquals(ByteString.copyFrom(NODE_ID.toBytes()), detected.getHandlers(0).getNodeId());
        assertEquals("127.0.0.1", detected.getHandlers(0).getHost());
        assertEquals(7000, detected.getHandlers(0).getPort());
        assertTrue(channel.isActive());
        assertEquals(1L, stats.snapshot().get("handlers.answered"));

        channel.writeInbound(frame(hello(WireVersions.NODE_PROTOCOL, ALICE, "laptop")));
        assertTrue(single(outbound()).hasChallenge(), "the login goes on on the same connection");
    }

    @Test
    void getHandlersForABadUserIdAnswersAnErrorAndKeepsTheConnection() {
        channel.writeInbound(frame(NodeFrame.newBuilder().setGetHandlersForUser(GetHandlersForUser.newBuilder()
                .setRequestId(7).setUserId("no scheme")).build().toByteArray()));

        NodeFrame error = single(outbound());
        assertEquals(ErrorCode.MALFORMED, error.getError().getCode());
        assertEquals(7, error.getError().getRequestId());
        assertTrue(channel.isActive());
    }

    @Test
    void endlessHandlerQueriesBeforeHelloAreMalformed() {
        for (int i = 0; i < 9; i++) {
            channel.writeInbound(frame(NodeFrame.newBuilder().setGetHandlersForUser(GetHandlersForUser.newBuilder()
                    .setRequestId(i).setUserId(ALICE)).build().toByteArray()));
        }
        channel.runPendingTasks();
        List<NodeFrame> frames = outbound();
        assertEquals(9, frames.size());
        assertTrue(frames.subList(0, 8).stream().allMatch(NodeFrame::hasDetectedHandlers));
        assertEquals(ErrorCode.MALFORMED, frames.get(8).getError().getCode());
        assertFalse(channel.isActive());
    }

    @Test
    void aHelloAtANodeThatIsNotTheUsersHandlerIsRedirectedBeforeAnyChallenge() {
        NodeAddress handler = new NodeAddress(NodeId.fromHex("0f".repeat(32)), "127.0.0.9", 7009);
        pipelineWhereTheRouterServes(handler);

        channel.writeInbound(frame(hello(WireVersions.NODE_PROTOCOL, ALICE, "laptop")));
        channel.runPendingTasks();

        Redirect redirect = single(outbound()).getRedirect();
        assertEquals(ALICE, redirect.getUserId());
        assertEquals(ByteString.copyFrom(handler.id().toBytes()), redirect.getHandlers(0).getNodeId());
        assertEquals("127.0.0.9", redirect.getHandlers(0).getHost());
        assertFalse(channel.isActive(), "closed after the redirect");
        assertEquals(1L, stats.snapshot().get("logins.redirected"));
        assertEquals(0L, stats.snapshot().get("logins.failed"));
    }

    @Test
    void unparsableFrameIsMalformedAndCloses() {
        channel.writeInbound(frame(new byte[] {(byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF}));

        assertClosedWith(ErrorCode.MALFORMED);
    }

    @Test
    void frameWithoutBodyIsMalformed() {
        channel.writeInbound(frame(new byte[0]));

        assertClosedWith(ErrorCode.MALFORMED);
    }

    @Test
    void oversizeFrameIsRefusedBeforeItsBodyArrives() {
        ByteBuf header = Unpooled.buffer(4).writeInt(1025);

        channel.writeInbound(header);

        assertClosedWith(ErrorCode.OVERSIZE);
    }

    @Test
    void frameBeforeLoginIsMalformed() {
        channel.writeInbound(frame(NodeFrame.newBuilder().setPing(Ping.newBuilder().setNonce(1)).build().toByteArray()));

        assertClosedWith(ErrorCode.MALFORMED);
        assertEquals(1L, stats.snapshot().get("logins.failed"));
    }

    @Test
    void unsupportedVersionNamesTheSupportedOne() {
        channel.writeInbound(frame(hello(7, ALICE, "laptop")));

        NodeFrame error = assertClosedWith(ErrorCode.UNSUPPORTED_VERSION);
        assertEquals(List.of(WireVersions.NODE_PROTOCOL), error.getError().getSupportedVersionsList());
    }

    @Test
    void unknownSchemeIsRefused() {
        channel.writeInbound(frame(hello(WireVersions.NODE_PROTOCOL, "bns:alice.id", "laptop")));

        assertClosedWith(ErrorCode.UNKNOWN_SCHEME);
    }

    @Test
    void badIdsAreMalformed() {
        channel.writeInbound(frame(hello(WireVersions.NODE_PROTOCOL, "no scheme here", "laptop")));

        assertClosedWith(ErrorCode.MALFORMED);
    }

    @Test
    void secondHelloIsMalformed() {
        channel.writeInbound(frame(hello(WireVersions.NODE_PROTOCOL, ALICE, "laptop")));
        outbound();
        channel.writeInbound(frame(hello(WireVersions.NODE_PROTOCOL, ALICE, "laptop")));

        assertClosedWith(ErrorCode.MALFORMED);
    }

    @Test
    void loginThatDoesNotFinishInTimeIsClosed() {
        channel.writeInbound(frame(hello(WireVersions.NODE_PROTOCOL, ALICE, "laptop")));
        outbound();

        channel.advanceTimeBy(9, TimeUnit.SECONDS);
        channel.runScheduledPendingTasks();
        assertTrue(channel.isActive(), "still inside the login timeout");
        channel.advanceTimeBy(2, TimeUnit.SECONDS);
        channel.runScheduledPendingTasks();

        assertClosedWith(ErrorCode.AUTH_FAILED);
    }

    @Test
    void framesAfterAFatalErrorAreIgnored() {
        ByteBuf twoFrames = Unpooled.wrappedBuffer(frame(new byte[] {(byte) 0xFF}),
                frame(hello(WireVersions.NODE_PROTOCOL, ALICE, "laptop")));

        channel.writeInbound(twoFrames);

        List<NodeFrame> frames = outbound();
        assertEquals(1, frames.size(), () -> "only the error: " + frames);
        assertEquals(ErrorCode.MALFORMED, frames.get(0).getError().getCode());
    }

    private NodeFrame assertClosedWith(ErrorCode code) {
        channel.runPendingTasks();
        NodeFrame error = single(outbound());
        assertTrue(error.hasError(), error::toString);
        assertEquals(code, error.getError().getCode());
        assertFalse(channel.isActive(), "closed after the error");
        return error;
    }

    /** Everything written so far, reassembled from length-prefixed bytes into frames. */
    private List<NodeFrame> outbound() {
        ByteBuf all = Unpooled.buffer();
        for (Object out; (out = channel.readOutbound()) != null; ) {
            ByteBuf buf = (ByteBuf) out;
            all.writeBytes(buf);
            buf.release();
        }
        List<NodeFrame> frames = new ArrayList<>();
        while (all.readableBytes() >= 4) {
            int length = all.readInt();
            byte[] body = new byte[length];
            all.readBytes(body);
            try {
                frames.add(NodeFrame.parseFrom(body));
            } catch (com.google.protobuf.InvalidProtocolBufferException e) {
                throw new AssertionError("node wrote an unparsable frame", e);
            }
        }
        assertEquals(0, all.readableBytes(), "no partial frame written");
        return frames;
    }

    private static NodeFrame single(List<NodeFrame> frames) {
        assertEquals(1, frames.size(), () -> "expected one frame: " + frames);
        return frames.get(0);
    }

    private static byte[] hello(int version, String user, String device) {
        return NodeFrame.newBuilder().setHello(Hello.newBuilder()
                .setProtocolVersion(version).setUserId(user).setDeviceId(device)).build().toByteArray();
    }

    private static ByteBuf frame(byte[] body) {
        return Unpooled.buffer(4 + body.length).writeInt(body.length).writeBytes(body);
    }
}
