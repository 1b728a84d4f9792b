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
import org.gcs.api.routing.NodeAddress;
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
    private final java.util.concurrent.atomic.AtomicInteger connectsInFlight = new java.util.concurrent.atomic.AtomicInteger();

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
        return start(List.of(new NodeAddress(pinned, "127.0.0.1", node.port())), null, alice);
    }

    /** What the client's friends supplier gives. */
    private volatile NodeClient.FriendsUpload friends = new NodeClient.FriendsUpload(true, List.of("pk:bob1"));

    private NodeClient start(List<NodeAddress> bootstrap, java.nio.file.Path handlersFile, UserCredential alice) {
        NodeClient.Settings s = new NodeClient.Settings(bootstrap, handlersFile, DeviceId.of("laptop"),
                Duration.ofSeconds(5), Duration.ofSeconds(15), Duration.ofMillis(100), Duration.ofMillis(400));
        client = new NodeClient(s, alice, () -> friends,
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

                    @Override
                    public int connectsInFlight() {
                        return connectsInFlight.get();
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

        friends = new NodeClient.FriendsUpload(true, List.of("pk:carol1"));
        assertTrue(client.sendFriendsUpdate());
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

    // ---------------------------------------------------------------- finding the handler nodes

    private static NodeAddress address(TestNode n) {
        return new NodeAddress(n.nodeId(), "127.0.0.1", n.port());
    }

    private String nextConnectedOrFailure() throws InterruptedException {
        String e = events.poll(10, TimeUnit.SECONDS);
        assertNotNull(e, "no event in 10 s");
        return e;
    }

    @Test
    void asksTheBootstrapNodeForTheHandlersMovesToTheFirstAndRemembersThem(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws Exception {
        try (TestNode handler = new TestNode(); TestNode second = new TestNode()) {
            node.handlers = List.of(handler.address(), second.address());
            java.nio.file.Path remembered = dir.resolve("state/handlers");
            start(List.of(address(node)), remembered, alice);

            assertTrue(nextConnectedOrFailure().startsWith("connected"));
            assertEquals(1, node.handlerQueries.get(), "the bootstrap node was asked once");
            assertEquals(0, node.logins.get(), "nobody logs in at a node that is not her handler");
            assertEquals(1, handler.logins.get());
            assertTrue(handler.isOnline(alice.user(), "laptop"));
            assertEquals(address(handler), client.node());
            assertEquals(List.of(address(handler), address(second)), client.knownHandlers());
            assertEquals(List.of(address(handler).toString(), address(second).toString()),
                    java.nio.file.Files.readAllLines(remembered).stream().filter(l -> !l.startsWith("#")).toList());
        }
    }

    @Test
    void aRestartGoesStraightToTheRememberedHandler(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        try (TestNode handler = new TestNode()) {
            java.nio.file.Path remembered = dir.resolve("handlers");
            java.nio.file.Files.writeString(remembered, "# remembered\n" + address(handler) + "\nnot an address\n");
            start(List.of(address(node)), remembered, alice);

            assertTrue(nextConnectedOrFailure().startsWith("connected"));
            assertEquals(1, handler.logins.get());
            assertEquals(0, node.handlerQueries.get(), "the bootstrap node was not asked");
            assertEquals(0, handler.handlerQueries.get(), "the handler was not asked either: the daemon logged in at once");
        }
    }

    @Test
    void aRedirectAtLoginSendsTheDaemonToTheNamedHandlerPinnedToItsId() throws Exception {
        try (TestNode handler = new TestNode()) {
            node.redirectTo = List.of(handler.address());
            start(node.nodeId());

            assertTrue(nextConnectedOrFailure().startsWith("connected"));
            assertEquals(1, handler.logins.get());
            assertEquals(0, node.logins.get());
            assertEquals(address(handler), client.node());
        }
    }

    @Test
    void aHandlerWhoseKeyDoesNotMatchTheIdTheLookupReturnedIsRefused() throws Exception {
        try (TestNode impostor = new TestNode()) {
            NodeId claimed = NodeId.fromPublicKey(new byte[] {9, 9, 9});
            node.handlers = List.of(NodeWire.NodeAddress.newBuilder()
                    .setNodeId(com.google.protobuf.ByteString.copyFrom(claimed.toBytes()))
                    .setHost("127.0.0.1").setPort(impostor.port()).build());
            start(node.nodeId());

            String e = nextConnectedOrFailure();
            assertTrue(e.startsWith("failed ") && e.contains("node certificate refused"), e);
            assertEquals(0, impostor.logins.get());
            assertFalse(client.connected());
        }
    }

    @Test
    void whenItsHandlerDiesTheDaemonLogsInAtTheNextHandlerAtOnce() throws Exception {
        TestNode first = new TestNode();
        try (TestNode second = new TestNode()) {
            node.handlers = List.of(first.address(), second.address());
            start(node.nodeId());
            assertTrue(nextConnectedOrFailure().startsWith("connected"));
            assertEquals(address(first), client.node());

            long killed = System.nanoTime();
            first.close();
            assertTrue(nextConnectedOrFailure().startsWith("lost "));
            assertTrue(nextConnectedOrFailure().startsWith("connected"));
            long millis = (System.nanoTime() - killed) / 1_000_000;

            assertEquals(address(second), client.node());
            assertEquals(1, second.logins.get());
            assertTrue(millis < 2000, "re-homed in " + millis + " ms");
        } finally {
            first.close();
        }
    }

    @Test
    void aRedirectDuringASessionMovesTheDaemonOnceNoConnectIsBeingSetUp() throws Exception {
        try (TestNode closer = new TestNode()) {
            start(node.nodeId());
            assertTrue(nextConnectedOrFailure().startsWith("connected"));

            node.redirectEveryone(List.of(closer.address(), node.address()));

            assertTrue(nextConnectedOrFailure().startsWith("lost "));
            assertTrue(nextConnectedOrFailure().startsWith("connected"));
            assertEquals(address(closer), client.node());
            assertEquals(1, closer.logins.get());
        }
    }

    @Test
    void aRedirectWaitsForTheConnectBeingSetUpAndMovesWhenItEnds() throws Exception {
        try (TestNode closer = new TestNode()) {
            start(node.nodeId());
            assertTrue(nextConnectedOrFailure().startsWith("connected"));
            connectsInFlight.set(1); // a connect is being set up through this node

            node.redirectEveryone(List.of(closer.address(), node.address()));

            assertEquals(null, events.poll(1500, TimeUnit.MILLISECONDS), "no move while the connect is set up");
            assertTrue(client.connected());
            assertEquals(0, closer.logins.get());

            connectsInFlight.set(0);
            assertTrue(nextConnectedOrFailure().startsWith("lost "));
            assertTrue(nextConnectedOrFailure().startsWith("connected"));
            assertEquals(address(closer), client.node());
        }
    }

    @Test
    void freshTurnCredentialsFromTheNodeAreUsedForTheSessionsThatFollow() throws Exception {
        start(node.nodeId());
        assertTrue(nextConnectedOrFailure().startsWith("connected"));
        node.sendTo(alice.user(), "laptop", NodeFrame.newBuilder().setIceServersUpdate(NodeWire.IceServersUpdate.newBuilder()
                .addIceServers(NodeWire.IceServer.newBuilder().setKind("stun").setHost("127.0.0.1").setPort(3478))
                .addIceServers(NodeWire.IceServer.newBuilder().setKind("turn").setHost("203.0.113.20").setPort(3478)
                        .setUsername("1999999999:alice").setPassword("fresh"))).build());
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (client.iceServers().stream().noneMatch(s -> "1999999999:alice".equals(s.username()))) {
            assertTrue(System.nanoTime() < deadline, "the daemon took the renewed credentials: " + client.iceServers());
            Thread.sleep(20);
        }
        assertEquals(2, client.iceServers().size());
        assertTrue(client.connected(), "the session is unaffected");
    }

    @Test
    void aDaemonReplacedByAnotherOfTheSameUserAndDeviceStepsBackInsteadOfEvictingItAtOnce() throws Exception {
        start(node.nodeId());
        assertTrue(nextConnectedOrFailure().startsWith("connected"));
        node.sendTo(alice.user(), "laptop", NodeFrame.newBuilder().setError(NodeWire.Error.newBuilder()
                .setCode(NodeWire.ErrorCode.REPLACED).setMessage("the same user and device logged in again")).build());

        String lost = nextConnectedOrFailure();
        assertTrue(lost.startsWith("lost ") && lost.contains("another daemon logged in as"), lost);
        // the reconnect backoff of this test is 100-400 ms: a plain disconnect would be back well within 2 s
        assertEquals(null, events.poll(2, TimeUnit.SECONDS), "it logged in again at once and would evict the other");
        assertEquals(1, node.logins.get());
        assertTrue(NodeClient.REPLACED_INITIAL.toSeconds() >= 30);
    }
}
