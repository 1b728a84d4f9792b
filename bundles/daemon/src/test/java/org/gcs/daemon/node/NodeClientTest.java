package org.gcs.daemon.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.gcs.api.DeviceId;
import org.gcs.api.NodeId;
import org.gcs.api.auth.UserCredential;
import org.gcs.api.transport.IceServer;
import org.gcs.api.wire.NodeWire;
import org.gcs.api.wire.NodeWire.NodeFrame;
import org.gcs.api.wire.NodeWire.Status;
import org.gcs.daemon.testing.TestCredentials;
import org.gcs.daemon.testing.TestNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class NodeClientTest {
    private EventLoopGroup group;
    private TestNode node;
    private NodeClient client;
    private final UserCredential alice = TestCredentials.newCredential();
    private final BlockingQueue<String> events = new LinkedBlockingQueue<>();

    @BeforeEach
    void setUp() throws Exception {
        group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        node = new TestNode();
    }

    @AfterEach
    void tearDown() {
        if (client != null) {
            client.close();
        }
        node.close();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(3, TimeUnit.SECONDS);
    }

    private NodeClient start(NodeId pinned) {
        return start(pinned, alice);
    }

    private NodeClient start(NodeId pinned, UserCredential alice) {
        NodeClient.Settings s = new NodeClient.Settings("127.0.0.1", node.port(), pinned, DeviceId.of("laptop"),
                Duration.ofSeconds(5), Duration.ofSeconds(15), Duration.ofMillis(100), Duration.ofMillis(400));
        client = new NodeClient(s, alice, () -> new NodeClient.FriendsUpload(true, List.of("pk:bob1")),
                new NodeClient.Listener() {
                    @Override
                    public void connected(List<IceServer> iceServers) {
                        events.add("connected " + iceServers);
                    }

                    @Override
                    public void disconnected(String reason, boolean wasConnected) {
                        events.add((wasConnected ? "lost " : "failed ") + reason);
                    }

                    @Override
                    public void frame(NodeFrame frame) {
                        events.add("frame " + frame.getBodyCase());
                    }
                }, group);
        client.start();
        return client;
    }

    @Test
    void logsInWithAVerifiedSignatureAndServesRequests() throws Exception {
        start(node.nodeId());
        String e = events.poll(10, TimeUnit.SECONDS);
        assertEquals("connected [STUN 127.0.0.1:3478]", e);
        assertTrue(client.connected());
        assertEquals(1, node.logins.get());
        assertEquals(0, node.authFailures.get());
        assertEquals(java.util.Set.of("pk:bob1"), node.uploadedFriends(alice.user(), "laptop"));

        NodeWire.DevicesAnswer own = client.devices(alice.user(), Duration.ofSeconds(5)).get(5, TimeUnit.SECONDS);
        assertEquals(Status.OK, own.getStatus());
        assertEquals(List.of("laptop"), own.getDevicesList());

        assertTrue(client.sendFriendsUpdate(new NodeClient.FriendsUpload(true, List.of("pk:carol1"))));
        assertNotNull(node.next(NodeFrame.BodyCase.FRIENDS_UPDATE, 5000));
        assertEquals(java.util.Set.of("pk:carol1"), node.uploadedFriends(alice.user(), "laptop"));

        node.sendTo(alice.user(), "laptop", NodeFrame.newBuilder().setSignal(NodeWire.Signal.newBuilder()).build());
        assertEquals("frame SIGNAL", events.poll(5, TimeUnit.SECONDS));
    }

    @Test
    void logsInWithThePubkeySchemesRealStoreAndVerifier(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        UserCredential real = new org.gcs.auth.pubkey.PubkeyCredentialStore().loadOrCreate(dir.resolve("state/user.key"), null);
        org.gcs.auth.pubkey.PubkeyAuthProvider provider = new org.gcs.auth.pubkey.PubkeyAuthProvider();
        node.verifier = (user, key, transcript, signature) -> {
            try {
                provider.verify(user, key, transcript, signature).get(5, TimeUnit.SECONDS);
                return true;
            } catch (Exception e) {
                return false;
            }
        };
        start(node.nodeId(), real);
        String e = events.poll(10, TimeUnit.SECONDS);
        assertNotNull(e);
        assertTrue(e.startsWith("connected"), e);
        assertTrue(node.isOnline(real.user(), "laptop"));
        assertEquals(0, node.authFailures.get());
    }

    @Test
    void aRejectedSignatureIsALoginFailure() throws Exception {
        node.verifier = (user, key, transcript, signature) -> false;
        start(node.nodeId());
        String e = events.poll(10, TimeUnit.SECONDS);
        assertNotNull(e);
        assertTrue(e.startsWith("failed ") && e.contains("AUTH_FAILED"), e);
        assertFalse(client.connected());
    }

    @Test
    void refusesANodeWhoseKeyDoesNotMatchThePin() throws Exception {
        start(NodeId.fromPublicKey(new byte[] {1, 2, 3}));
        String e = events.poll(10, TimeUnit.SECONDS);
        assertNotNull(e);
        assertTrue(e.startsWith("failed ") && e.contains("node certificate refused"), e);
        assertFalse(client.connected());
        assertEquals(0, node.logins.get());
        assertTrue(node.received.isEmpty());
        NodeWire.DevicesAnswer a = client.devices(alice.user(), Duration.ofSeconds(1)).get(2, TimeUnit.SECONDS);
        assertEquals(Status.FAILED, a.getStatus());
    }

    @Test
    void refusesAChallengeForAnotherNodeId() throws Exception {
        node.challengeNodeId = new byte[32];
        start(node.nodeId());
        String e = events.poll(10, TimeUnit.SECONDS);
        assertNotNull(e);
        assertTrue(e.startsWith("failed ") && e.contains("challenged with node id"), e);
        assertEquals(0, node.logins.get());
        assertEquals(0, node.authFailures.get());
    }

    @Test
    void reconnectsAfterTheNodeDropsTheConnection() throws Exception {
        start(node.nodeId());
        assertTrue(events.poll(10, TimeUnit.SECONDS).startsWith("connected"));
        node.dropAll();
        String lost = events.poll(10, TimeUnit.SECONDS);
        assertTrue(lost.startsWith("lost "), lost);
        String again = events.poll(10, TimeUnit.SECONDS);
        assertNotNull(again);
        assertTrue(again.startsWith("connected"), again);
        assertEquals(2, node.logins.get());
        assertTrue(client.connected());
    }
}
