package org.gcs.node;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import org.gcs.api.AuthenticationException;
import org.gcs.api.NodeId;
import org.gcs.api.UserId;
import org.gcs.api.auth.AuthProvider;
import org.gcs.api.auth.UserCredential;
import org.gcs.api.wire.NodeWire.ChannelType;
import org.gcs.api.wire.NodeWire.Connect;
import org.gcs.api.wire.NodeWire.ConnectRequest;
import org.gcs.api.wire.NodeWire.ConnectResponse;
import org.gcs.api.wire.NodeWire.ConnectResult;
import org.gcs.api.wire.NodeWire.DevicesAnswer;
import org.gcs.api.wire.NodeWire.DevicesQuery;
import org.gcs.api.wire.NodeWire.ErrorCode;
import org.gcs.api.wire.NodeWire.FriendsUpdate;
import org.gcs.api.wire.NodeWire.Hello;
import org.gcs.api.wire.NodeWire.NodeFrame;
import org.gcs.api.wire.NodeWire.NodeFrame.BodyCase;
import org.gcs.api.wire.NodeWire.Signal;
import org.gcs.api.wire.NodeWire.Status;
import org.gcs.api.wire.NodeWire.Welcome;
import org.gcs.auth.pubkey.PubkeyAuthProvider;
import org.gcs.auth.pubkey.PubkeyCredentialStore;
import org.gcs.node.state.StateFiles;
import org.gcs.internal.stun.StunCodec;
import org.gcs.routing.central.CentralRouter;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real node component on 127.0.0.1 with ephemeral ports, the central router and Ed25519 logins, driven by test
 * daemons over real TLS 1.3 sockets.
 */
class GcsNodeTest {
    private static final SecureRandom RANDOM = new SecureRandom();

    @TempDir
    Path tmp;

    private GcsNode node;
    private Path stateDir;
    private PubkeyAuthProvider pubkey;
    private final List<TestDaemon> daemons = new ArrayList<>();
    private UserCredential alice;
    private UserCredential bob;
    private UserCredential carol;

    @BeforeEach
    void startNode() throws Exception {
        PubkeyCredentialStore store = new PubkeyCredentialStore();
        alice = store.loadOrCreate(tmp.resolve("alice.key"), null);
        bob = store.loadOrCreate(tmp.resolve("bob.key"), null);
        carol = store.loadOrCreate(tmp.resolve("carol.key"), null);
        stateDir = tmp.resolve("node");
        node = new GcsNode();
        node.setRouter(new CentralRouter());
        pubkey = new PubkeyAuthProvider();
        node.addAuthProvider(pubkey, providerProperties("pk", 1L));
        node.setIdentity(identity(stateDir));
        node.activate(TestConfigs.ephemeral(stateDir, Map.of()));
    }

    private static org.gcs.api.node.NodeIdentity identity(Path stateDir) throws IOException {
        return org.gcs.internal.identity.StoredNodeIdentity.loadOrCreate(stateDir);
    }

    @AfterEach
    void stopNode() throws IOException {
        for (TestDaemon daemon : daemons) {
            daemon.close();
        }
        node.deactivate();
    }

    @Test
    void welcomeCarriesTurnServersWithCredentialsCoturnAccepts() throws Exception {
        node.deactivate();
        node = new GcsNode();
        node.setRouter(new CentralRouter());
        node.addAuthProvider(pubkey, providerProperties("pk", 1L));
        node.setIdentity(identity(tmp.resolve("node-turn")));
        node.activate(TestConfigs.ephemeral(tmp.resolve("node-turn"), Map.of("turn_servers", new String[] {"203.0.113.20:3478"},
                "turn_secret", "s3cret", "turn_ttl_seconds", 600)));
        long now = System.currentTimeMillis() / 1000;
        Welcome welcome = daemon().login(alice, "laptop", true, List.of()).getWelcome();
        org.gcs.api.wire.NodeWire.IceServer turn = welcome.getIceServersList().stream()
                .filter(s -> s.getKind().equals("turn")).findFirst().orElseThrow();
        assertEquals("203.0.113.20", turn.getHost());
        assertEquals(3478, turn.getPort());
        long expiry = Long.parseLong(turn.getUsername().substring(0, turn.getUsername().indexOf(':')));
        assertTrue(expiry >= now + 590 && expiry <= now + 610, "expires in about 600 s: " + expiry);
        javax.crypto.Mac mac = javax.crypto.Mac.getInstance("HmacSHA1");
        mac.init(new javax.crypto.spec.SecretKeySpec("s3cret".getBytes(java.nio.charset.StandardCharsets.UTF_8), "HmacSHA1"));
        assertEquals(java.util.Base64.getEncoder().encodeToString(
                mac.doFinal(turn.getUsername().getBytes(java.nio.charset.StandardCharsets.UTF_8))), turn.getPassword());
    }

    @Test
    void turnServersWithoutASecretAreAConfigurationError() throws IOException {
        GcsNode misconfigured = new GcsNode();
        misconfigured.setRouter(new CentralRouter());
        misconfigured.setIdentity(identity(tmp.resolve("bad")));
        assertThrows(IllegalArgumentException.class, () -> misconfigured.activate(TestConfigs.ephemeral(tmp.resolve("bad"),
                Map.of("turn_servers", new String[] {"203.0.113.20:3478"}))));
    }

    @Test
    void loginSucceedsAndWelcomeAdvertisesTheStunResponder() throws Exception {
        NodeFrame answer = daemon().login(alice, "laptop", true, List.of());

        Welcome welcome = answer.getWelcome();
        assertEquals(node.nodeId(), NodeId.of(welcome.getNodeId().toByteArray()));
        assertEquals(1, welcome.getIceServersCount());
        assertEquals("127.0.0.1", welcome.getIceServers(0).getHost());
        assertEquals(node.stunPort(), welcome.getIceServers(0).getPort());
        assertEquals("stun", welcome.getIceServers(0).getKind());
    }

    @Test
    void stateDirectoryHoldsIdAndActualPorts() throws Exception {
        assertEquals(node.nodeId().toString(), Files.readString(stateDir.resolve(StateFiles.NODE_ID)).trim());
        Properties properties = load(stateDir.resolve(StateFiles.NODE_PROPERTIES));
        assertEquals(node.nodeId().toString(), properties.getProperty("node.id"));
        assertEquals(String.valueOf(node.tlsPort()), properties.getProperty("tls.port"));
        assertEquals(String.valueOf(node.stunPort()), properties.getProperty("stun.port"));
        assertTrue(node.tlsPort() > 0 && node.stunPort() > 0);
    }

    @Test
    void restartKeepsTheNodeId() throws Exception {
        NodeId first = node.nodeId();
        node.deactivate();
        node = new GcsNode();
        node.setRouter(new CentralRouter());
        node.addAuthProvider(pubkey, providerProperties("pk", 1L));
        node.setIdentity(identity(stateDir));
        node.activate(TestConfigs.ephemeral(stateDir, Map.of()));

        assertEquals(first, node.nodeId());
        daemon().loginOk(alice, "laptop", List.of());
    }

    @Test
    void wrongSignatureIsRefusedAndTheNodeKeepsServingOthers() throws Exception {
        TestDaemon bobDaemon = daemon();
        bobDaemon.loginOk(bob, "phone", List.of());
        TestDaemon impostor = daemon();

        NodeFrame answer = impostor.login(alice, carol, "laptop", true, List.of());

        assertEquals(ErrorCode.AUTH_FAILED, answer.getError().getCode());
        impostor.assertClosedByNode();
        assertTrue(bobDaemon.pingBarrier(7).hasPong(), "an existing session still works");
        daemon().loginOk(alice, "laptop", List.of());
        assertEquals(1L, node.stats().get("logins.failed"));
    }

    @Test
    void unsupportedVersionIsAnsweredWithTheSupportedOnes() throws Exception {
        TestDaemon daemon = daemon();
        daemon.send(NodeFrame.newBuilder().setHello(Hello.newBuilder()
                .setProtocolVersion(2).setUserId(alice.user().toString()).setDeviceId("laptop")).build());

        NodeFrame answer = daemon.expect(BodyCase.ERROR);

        assertEquals(ErrorCode.UNSUPPORTED_VERSION, answer.getError().getCode());
        assertEquals(List.of(1), answer.getError().getSupportedVersionsList());
        daemon.assertClosedByNode();
    }

    @Test
    void devicesQueryHonoursUploadedFriendsLists() throws Exception {
        daemon().loginOk(alice, "laptop", List.of(bob.user().toString()));
        TestDaemon bobDaemon = daemon();
        bobDaemon.loginOk(bob, "phone", List.of());
        TestDaemon carolDaemon = daemon();
        carolDaemon.login(carol, "desk", false, List.of());

        DevicesAnswer forBob = query(bobDaemon, 1, alice.user());
        DevicesAnswer forCarol = query(carolDaemon, 2, alice.user());
        DevicesAnswer unknown = query(bobDaemon, 3, UserId.of("pk", "nobody"));
        DevicesAnswer carolNotUploading = query(bobDaemon, 4, carol.user());

        assertEquals(Status.OK, forBob.getStatus());
        assertEquals(List.of("laptop"), forBob.getDevicesList());
        assertEquals(1, forBob.getRequestId());
        assertEquals(Status.UNKNOWN_USER, forCarol.getStatus(), "a stranger is told what he would be if she were offline");
        assertTrue(forCarol.getDevicesList().isEmpty());
        assertEquals(Status.UNKNOWN_USER, unknown.getStatus());
        assertEquals(Status.OK, carolNotUploading.getStatus(), "without an uploaded list the node does not filter");
        assertEquals(List.of("desk"), carolNotUploading.getDevicesList());
    }

    @Test
    void connectIsRelayedWithTheAuthenticatedCallerAndSignalsFlowBothWays() throws Exception {
        TestDaemon aliceDaemon = daemon();
        aliceDaemon.loginOk(alice, "laptop", List.of(bob.user().toString()));
        TestDaemon bobDaemon = daemon();
        bobDaemon.loginOk(bob, "phone", List.of(alice.user().toString()));
        ByteString id = connectionId();

        NodeFrame connect = connect(id, alice.user(), "laptop", "offer-from-bob");
        bobDaemon.send(connect.toBuilder().setConnect(connect.getConnect().toBuilder()
                .setOfferSignature(ByteString.copyFromUtf8("sig")).setCallerPublicKey(ByteString.copyFromUtf8("key"))
                .setTimestampMs(1234)).build());
        ConnectRequest request = aliceDaemon.expect(BodyCase.CONNECT_REQUEST).getConnectRequest();

        assertEquals(id, request.getConnectionId());
        assertEquals(bob.user().toString(), request.getCallerUser());
        assertEquals("phone", request.getCallerDevice());
        assertEquals("chat", request.getCallerApp());
        assertEquals("chat-server", request.getCalleeApp());
        assertEquals(ChannelType.DATA, request.getType());
        assertEquals("offer-from-bob", request.getOffer().toStringUtf8());
        assertEquals("sig", request.getOfferSignature().toStringUtf8(), "end-to-end fields are relayed unread");
        assertEquals("key", request.getCallerPublicKey().toStringUtf8());
        assertEquals(1234, request.getTimestampMs());

        aliceDaemon.send(NodeFrame.newBuilder().setConnectResponse(ConnectResponse.newBuilder()
                .setConnectionId(id).setStatus(Status.ACCEPTED).setAnswer(ByteString.copyFromUtf8("answer"))
                .setAnswerSignature(ByteString.copyFromUtf8("answer-sig")).setCalleePublicKey(ByteString.copyFromUtf8("alice-key"))
                .setDeferredDecision(true)).build());
        ConnectResult result = bobDaemon.expect(BodyCase.CONNECT_RESULT).getConnectResult();
        assertEquals(Status.ACCEPTED, result.getStatus());
        assertEquals("answer", result.getAnswer().toStringUtf8());
        assertEquals("answer-sig", result.getAnswerSignature().toStringUtf8());
        assertEquals("alice-key", result.getCalleePublicKey().toStringUtf8());
        assertTrue(result.getDeferredDecision());

        bobDaemon.send(signal(id, "candidate-from-bob"));
        assertEquals("candidate-from-bob", aliceDaemon.expect(BodyCase.SIGNAL).getSignal().getPayload().toStringUtf8());
        aliceDaemon.send(signal(id, "candidate-from-alice"));
        assertEquals("candidate-from-alice", bobDaemon.expect(BodyCase.SIGNAL).getSignal().getPayload().toStringUtf8());
        assertEquals(1L, node.stats().get("connects.relayed"));
    }

    @Test
    void nonFriendIsRefusedAtTheNodeAndTheCalleeNeverHearsOfIt() throws Exception {
        TestDaemon aliceDaemon = daemon();
        aliceDaemon.loginOk(alice, "laptop", List.of(bob.user().toString()));
        TestDaemon carolDaemon = daemon();
        carolDaemon.loginOk(carol, "desk", List.of());
        ByteString id = connectionId();

        carolDaemon.send(connect(id, alice.user(), "laptop", "offer"));

        ConnectResult result = carolDaemon.expect(BodyCase.CONNECT_RESULT).getConnectResult();
        assertEquals(Status.UNKNOWN_USER, result.getStatus(), "Carol cannot tell whether Alice is online");
        assertEquals(id, result.getConnectionId());
        assertTrue(aliceDaemon.pingBarrier(1).hasPong(), "alice received nothing before her pong");
        carolDaemon.send(signal(id, "sneaky"));
        assertEquals(BodyCase.ERROR, carolDaemon.receive().getBodyCase(), "refused connection is not recorded");
        assertTrue(aliceDaemon.pingBarrier(2).hasPong());
    }

    @Test
    void friendsUpdateTakesEffectWithoutReconnect() throws Exception {
        TestDaemon aliceDaemon = daemon();
        aliceDaemon.loginOk(alice, "laptop", List.of());
        TestDaemon carolDaemon = daemon();
        carolDaemon.loginOk(carol, "desk", List.of());
        assertEquals(Status.UNKNOWN_USER, query(carolDaemon, 1, alice.user()).getStatus());

        aliceDaemon.send(NodeFrame.newBuilder().setFriendsUpdate(FriendsUpdate.newBuilder()
                .setUploadFriends(true).addFriends(carol.user().toString())).build());
        assertTrue(aliceDaemon.pingBarrier(3).hasPong(), "update processed");

        assertEquals(Status.OK, query(carolDaemon, 2, alice.user()).getStatus());
    }

    @Test
    void offlineDeviceAndUnknownUserAreAnsweredAtOnce() throws Exception {
        daemon().loginOk(alice, "laptop", List.of(bob.user().toString()));
        TestDaemon bobDaemon = daemon();
        bobDaemon.loginOk(bob, "phone", List.of());

        bobDaemon.send(connect(connectionId(), alice.user(), "phone", "offer"));
        assertEquals(Status.DEVICE_OFFLINE, bobDaemon.expect(BodyCase.CONNECT_RESULT).getConnectResult().getStatus());
        bobDaemon.send(connect(connectionId(), UserId.of("pk", "nobody"), "laptop", "offer"));
        assertEquals(Status.UNKNOWN_USER, bobDaemon.expect(BodyCase.CONNECT_RESULT).getConnectResult().getStatus());
    }

    @Test
    void signalsFlowOnlyOnRecordedConnectionsBetweenTheirTwoDevices() throws Exception {
        TestDaemon aliceDaemon = daemon();
        aliceDaemon.loginOk(alice, "laptop", List.of(bob.user().toString(), carol.user().toString()));
        TestDaemon bobDaemon = daemon();
        bobDaemon.loginOk(bob, "phone", List.of());
        TestDaemon carolDaemon = daemon();
        carolDaemon.loginOk(carol, "desk", List.of());
        ByteString id = connectionId();
        bobDaemon.send(connect(id, alice.user(), "laptop", "offer"));
        aliceDaemon.expect(BodyCase.CONNECT_REQUEST);

        bobDaemon.send(signal(connectionId(), "unknown id"));
        NodeFrame unknown = bobDaemon.receive();
        carolDaemon.send(signal(id, "not carol's connection"));
        NodeFrame foreign = carolDaemon.receive();

        assertEquals(BodyCase.ERROR, unknown.getBodyCase());
        assertEquals(BodyCase.ERROR, foreign.getBodyCase());
        assertTrue(aliceDaemon.pingBarrier(4).hasPong(), "alice got neither signal");
        assertTrue(bobDaemon.pingBarrier(5).hasPong(), "the session survives an unknown connection id");
    }

    @Test
    void secondLoginOfTheSameDeviceReplacesTheFirst() throws Exception {
        TestDaemon first = daemon();
        first.loginOk(alice, "laptop", List.of());
        TestDaemon second = daemon();
        second.loginOk(alice, "laptop", List.of(bob.user().toString()));

        assertEquals(ErrorCode.REPLACED, first.expect(BodyCase.ERROR).getError().getCode());
        first.assertClosedByNode();
        assertTrue(second.pingBarrier(6).hasPong());
        TestDaemon bobDaemon = daemon();
        bobDaemon.loginOk(bob, "phone", List.of());
        DevicesAnswer devices = query(bobDaemon, 1, alice.user());
        assertEquals(Status.OK, devices.getStatus(), "the replacing session's friends list applies");
        assertEquals(List.of("laptop"), devices.getDevicesList());
    }

    @Test
    void authProvidersCanBeSwappedWhileTheNodeRuns() throws Exception {
        node.removeAuthProvider(pubkey, providerProperties("pk", 1L));
        TestDaemon withoutProvider = daemon();
        assertEquals(ErrorCode.UNKNOWN_SCHEME, withoutProvider.login(alice, "laptop", true, List.of()).getError().getCode());
        withoutProvider.assertClosedByNode();

        AuthProvider rejecting = new RejectingProvider();
        node.addAuthProvider(rejecting, providerProperties("pk", 2L));
        assertEquals(ErrorCode.AUTH_FAILED, daemon().login(alice, "laptop", true, List.of()).getError().getCode());

        node.removeAuthProvider(rejecting, providerProperties("pk", 2L));
        node.addAuthProvider(new PubkeyAuthProvider(), providerProperties("pk", 3L));
        daemon().loginOk(alice, "laptop", List.of());
    }

    @Test
    void garbageFrameClosesOnlyThatConnection() throws Exception {
        TestDaemon aliceDaemon = daemon();
        aliceDaemon.loginOk(alice, "laptop", List.of());
        TestDaemon garbage = daemon();
        garbage.loginOk(bob, "phone", List.of());

        byte[] junk = new byte[40];
        java.util.Arrays.fill(junk, (byte) 0xFF);
        garbage.sendRaw(junk.length, junk);

        assertEquals(ErrorCode.MALFORMED, garbage.expect(BodyCase.ERROR).getError().getCode());
        garbage.assertClosedByNode();
        assertTrue(aliceDaemon.pingBarrier(8).hasPong());
    }

    @Test
    void oversizeFrameIsAnsweredAndClosed() throws Exception {
        TestDaemon daemon = daemon();
        daemon.sendRaw(1 << 20, new byte[16]);

        assertEquals(ErrorCode.OVERSIZE, daemon.expect(BodyCase.ERROR).getError().getCode());
        daemon.assertClosedByNode();
    }

    @Test
    void stunBindingIsAnsweredOverRealUdp() throws Exception {
        try (DatagramSocket socket = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            socket.setSoTimeout(5000);
            InetSocketAddress stun = new InetSocketAddress(InetAddress.getLoopbackAddress(), node.stunPort());
            byte[] garbage = "not stun at all, just bytes".getBytes(StandardCharsets.US_ASCII);
            socket.send(new DatagramPacket(garbage, garbage.length, stun));
            byte[] transactionId = new byte[12];
            RANDOM.nextBytes(transactionId);
            byte[] request = ByteBuffer.allocate(20).putShort((short) 1).putShort((short) 0)
                    .putInt(StunCodec.MAGIC_COOKIE).put(transactionId).array();
            socket.send(new DatagramPacket(request, request.length, stun));

            DatagramPacket response = new DatagramPacket(new byte[512], 512);
            socket.receive(response);

            ByteBuffer in = ByteBuffer.wrap(response.getData(), 0, response.getLength());
            assertEquals(StunCodec.BINDING_SUCCESS, in.getShort() & 0xFFFF, "the garbage got no answer; this is the binding's");
            in.getShort();
            assertEquals(StunCodec.MAGIC_COOKIE, in.getInt());
            byte[] echoedId = new byte[12];
            in.get(echoedId);
            assertArrayEquals(transactionId, echoedId);
            assertEquals(StunCodec.ATTR_XOR_MAPPED_ADDRESS, in.getShort() & 0xFFFF);
            in.getShort();
            in.getShort();
            int port = (in.getShort() & 0xFFFF) ^ (StunCodec.MAGIC_COOKIE >>> 16);
            int address = in.getInt() ^ StunCodec.MAGIC_COOKIE;
            assertEquals(socket.getLocalPort(), port);
            assertEquals(0x7F000001, address);
        }
        long stunIn = node.stats().get("stun.bytes.in");
        assertTrue(stunIn >= 20 + 27, "both datagrams counted: " + stunIn);
    }

    @Test
    void statsFileIsWrittenPeriodicallyAndAtDeactivate() throws Exception {
        daemon().loginOk(alice, "laptop", List.of());
        daemon().login(alice, carol, "phone", true, List.of());
        Path stats = stateDir.resolve(StateFiles.STATS_PROPERTIES);

        // written by a 1 s timer: poll the file, bounded
        long deadline = System.nanoTime() + 5_000_000_000L;
        Properties periodic = load(stats);
        while (!"1".equals(periodic.getProperty("logins.failed")) && System.nanoTime() < deadline) {
            Thread.sleep(50);
            periodic = load(stats);
        }
        assertEquals("1", periodic.getProperty("logins.ok"));
        assertEquals("1", periodic.getProperty("logins.failed"));
        assertEquals("1", periodic.getProperty("sessions.current"));

        node.deactivate();
        Properties last = load(stats);
        assertTrue(Long.parseLong(last.getProperty("tls.bytes.in")) > 0);
        assertTrue(Long.parseLong(last.getProperty("tls.bytes.out")) > 0);
        for (String key : List.of("stun.bytes.in", "stun.bytes.out", "connects.relayed")) {
            assertEquals("0", last.getProperty(key), key);
        }
    }

    private TestDaemon daemon() throws Exception {
        TestDaemon daemon = TestDaemon.connect(node.tlsPort(), node.nodeId());
        daemons.add(daemon);
        return daemon;
    }

    private static DevicesAnswer query(TestDaemon daemon, long requestId, UserId user) throws IOException {
        daemon.send(NodeFrame.newBuilder().setDevicesQuery(DevicesQuery.newBuilder()
                .setRequestId(requestId).setUserId(user.toString())).build());
        DevicesAnswer answer = daemon.expect(BodyCase.DEVICES_ANSWER).getDevicesAnswer();
        assertEquals(requestId, answer.getRequestId());
        return answer;
    }

    private static NodeFrame connect(ByteString id, UserId callee, String device, String offer) {
        return NodeFrame.newBuilder().setConnect(Connect.newBuilder()
                .setConnectionId(id).setCalleeUser(callee.toString()).setCalleeDevice(device)
                .setCalleeApp("chat-server").setCallerApp("chat").setType(ChannelType.DATA)
                .setOffer(ByteString.copyFromUtf8(offer))).build();
    }

    private static NodeFrame signal(ByteString id, String payload) {
        return NodeFrame.newBuilder().setSignal(Signal.newBuilder()
                .setConnectionId(id).setPayload(ByteString.copyFromUtf8(payload))).build();
    }

    private static ByteString connectionId() {
        byte[] id = new byte[16];
        RANDOM.nextBytes(id);
        return ByteString.copyFrom(id);
    }

    private static Map<String, Object> providerProperties(String scheme, long serviceId) {
        return Map.of(AuthProvider.SCHEME_PROPERTY, scheme, "service.id", serviceId);
    }

    private static Properties load(Path file) throws IOException {
        Properties properties = new Properties();
        if (Files.exists(file)) {
            try (var in = Files.newInputStream(file)) {
                properties.load(in);
            }
        }
        return properties;
    }

    /** A provider for {@code pk} that turns every login down. */
    private static final class RejectingProvider implements AuthProvider {
        @Override
        public String scheme() {
            return "pk";
        }

        @Override
        public CompletableFuture<Void> verify(UserId user, byte[] publicKey, byte[] message, byte[] signature) {
            return CompletableFuture.failedFuture(new AuthenticationException("this provider rejects everyone"));
        }

        @Override
        public CompletableFuture<Void> checkOwner(UserId user, byte[] publicKey) {
            return CompletableFuture.failedFuture(new AuthenticationException("this provider rejects everyone"));
        }
    }
}
