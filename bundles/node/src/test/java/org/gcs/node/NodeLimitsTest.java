package org.gcs.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.gcs.api.UserId;
import org.gcs.api.auth.UserCredential;
import org.gcs.api.wire.NodeWire.ChannelType;
import org.gcs.api.wire.NodeWire.Connect;
import org.gcs.api.wire.NodeWire.ConnectResponse;
import org.gcs.api.wire.NodeWire.ConnectResult;
import org.gcs.api.wire.NodeWire.ErrorCode;
import org.gcs.api.wire.NodeWire.NodeFrame;
import org.gcs.api.wire.NodeWire.NodeFrame.BodyCase;
import org.gcs.api.wire.NodeWire.Ping;
import org.gcs.api.wire.NodeWire.Status;
import org.gcs.auth.pubkey.PubkeyCredentialStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The node's limits (issue 11, "Bounded resources"), each with a peer at or over it while another user keeps being
 * served: connect rate and connects in flight per user and device, devices per user, connections per address, frames
 * per session, and a daemon that asks and never reads. Real node, real TLS, the central router.
 */
class NodeLimitsTest {

    @TempDir
    Path tmp;

    private GcsNode node;
    private final List<TestDaemon> daemons = new ArrayList<>();
    private UserCredential alice;
    private UserCredential bob;
    private UserCredential carol;

    private void start(Map<String, Object> limits) throws Exception {
        PubkeyCredentialStore store = new PubkeyCredentialStore();
        alice = store.loadOrCreate(tmp.resolve("alice.key"), null);
        bob = store.loadOrCreate(tmp.resolve("bob.key"), null);
        carol = store.loadOrCreate(tmp.resolve("carol.key"), null);
        Path stateDir = tmp.resolve("node");
        node = TestNodes.central(stateDir, limits);
    }

    @AfterEach
    void stop() throws IOException {
        for (TestDaemon daemon : daemons) {
            daemon.close();
        }
        if (node != null) {
            node.deactivate();
        }
    }

    @Test
    void aCallerOverTheConnectRateIsLimitedWhileAnotherUsersConnectsGoThrough() throws Exception {
        start(Map.of("limit_connects_burst", 5, "limit_connects_per_second", 0.01));
        TestDaemon bobs = daemon();
        bobs.loginOk(bob, "phone", List.of(alice.user().toString(), carol.user().toString()));
        TestDaemon alices = daemon();
        alices.loginOk(alice, "laptop", List.of());
        TestDaemon carols = daemon();
        carols.loginOk(carol, "desk", List.of());

        for (int i = 0; i < 8; i++) {
            alices.send(connect(TestNodes.connectionId(), bob.user()));
        }
        for (int i = 0; i < 5; i++) {
            bobs.expect(BodyCase.CONNECT_REQUEST);
        }
        for (int i = 0; i < 3; i++) {
            ConnectResult limited = alices.expect(BodyCase.CONNECT_RESULT).getConnectResult();
            assertEquals(Status.LIMITED, limited.getStatus());
            assertTrue(limited.getMessage().contains("connect rate"), limited.getMessage());
        }
        carols.send(connect(TestNodes.connectionId(), bob.user()));
        assertEquals(carol.user().toString(), bobs.expect(BodyCase.CONNECT_REQUEST).getConnectRequest().getCallerUser(),
                "another user's connect goes through");
        assertEquals(3L, node.stats().get("limits.hit"));
    }

    @Test
    void connectsInFlightPerDeviceAreBoundedAndAnAcceptedConnectReleasesItsSlot() throws Exception {
        start(Map.of("limit_connects_in_flight_per_device", 2));
        TestDaemon bobs = daemon();
        bobs.loginOk(bob, "phone", List.of(alice.user().toString()));
        TestDaemon alices = daemon();
        alices.loginOk(alice, "laptop", List.of());

        ByteString first = TestNodes.connectionId();
        alices.send(connect(first, bob.user()));
        alices.send(connect(TestNodes.connectionId(), bob.user()));
        bobs.expect(BodyCase.CONNECT_REQUEST);
        bobs.expect(BodyCase.CONNECT_REQUEST);
        alices.send(connect(TestNodes.connectionId(), bob.user()));
        ConnectResult third = alices.expect(BodyCase.CONNECT_RESULT).getConnectResult();
        assertEquals(Status.LIMITED, third.getStatus());
        assertTrue(third.getMessage().contains("in flight"), third.getMessage());

        bobs.send(NodeFrame.newBuilder().setConnectResponse(ConnectResponse.newBuilder()
                .setConnectionId(first).setStatus(Status.ACCEPTED)).build());
        assertEquals(Status.ACCEPTED, alices.expect(BodyCase.CONNECT_RESULT).getConnectResult().getStatus());
        alices.send(connect(TestNodes.connectionId(), bob.user()));
        bobs.expect(BodyCase.CONNECT_REQUEST); // the accepted connect no longer counts as in flight
        assertEquals(BodyCase.PONG, alices.pingBarrier(1).getBodyCase(), "no LIMITED result came instead");
    }

    @Test
    void aUserCannotLogInMoreDevicesThanTheLimitButADeviceMayLogInAgain() throws Exception {
        start(Map.of("limit_devices_per_user", 2));
        daemon().loginOk(alice, "laptop", List.of());
        daemon().loginOk(alice, "phone", List.of());
        TestDaemon third = daemon();
        NodeFrame refused = third.login(alice, "tablet", true, List.of());
        assertEquals(ErrorCode.LIMIT_EXCEEDED, refused.getError().getCode());
        assertTrue(refused.getError().getMessage().contains("limit 2"), refused.getError().getMessage());
        third.assertClosedByNode();

        daemon().loginOk(alice, "laptop", List.of()); // replaces the first laptop session: not a third device
        daemon().loginOk(bob, "phone", List.of()); // another user is not affected
    }

    @Test
    void connectionsFromOneAddressAreLimited() throws Exception {
        start(Map.of("limit_connections_per_address", 3));
        List<TestDaemon> three = List.of(daemon(), daemon(), daemon());
        TestDaemon fourth = daemon();
        NodeFrame answer = fourth.receive();
        assertEquals(ErrorCode.LIMIT_EXCEEDED, answer.getError().getCode());
        assertTrue(answer.getError().getMessage().contains("limit 3 per address"), answer.getError().getMessage());
        fourth.assertClosedByNode();

        three.get(0).close();
        fourth.close();
        assertTrue(loggedInOnceAnotherCloses(), "a connection is taken again once one from the address closed");
        three.get(1).loginOk(bob, "phone", List.of());
    }

    @Test
    void framesOverTheSessionRateAreDroppedWithAnErrorAndTheSessionGoesOn() throws Exception {
        start(Map.of("limit_frames_burst", 20, "limit_frames_per_second", 2.0));
        TestDaemon alices = daemon();
        alices.loginOk(alice, "laptop", List.of());
        for (int i = 0; i < 40; i++) {
            alices.send(NodeFrame.newBuilder().setPing(Ping.newBuilder().setNonce(i)).build());
        }
        int pongs = 0;
        int limited = 0;
        for (int i = 0; i < 40; i++) {
            NodeFrame f = alices.receive();
            if (f.hasPong()) {
                pongs++;
            } else if (f.hasError() && f.getError().getCode() == ErrorCode.LIMIT_EXCEEDED) {
                limited++;
            }
        }
        assertTrue(pongs >= 20 && pongs <= 22, "pongs: " + pongs);
        assertEquals(40 - pongs, limited);
        Thread.sleep(1_000); // two tokens come back
        assertEquals(BodyCase.PONG, alices.pingBarrier(99).getBodyCase());
        TestDaemon bobs = daemon();
        bobs.loginOk(bob, "phone", List.of());
        assertEquals(BodyCase.PONG, bobs.pingBarrier(1).getBodyCase(), "another session has its own budget");
    }

    @Test
    void aDaemonThatAsksAndNeverReadsIsClosedAndOthersAreServed() throws Exception {
        start(Map.of("limit_write_buffer_bytes", 64 * 1024, "limit_slow_reader_seconds", 2,
                "limit_frames_burst", 10_000_000, "limit_frames_per_second", 10_000_000.0));
        TestDaemon greedy = daemon();
        greedy.loginOk(alice, "laptop", List.of());
        AtomicInteger sent = new AtomicInteger();
        Thread writer = new Thread(() -> {
            try {
                NodeFrame ping = NodeFrame.newBuilder().setPing(Ping.newBuilder().setNonce(1)).build();
                while (sent.get() < 2_000_000) { // bounded; the node closes the connection long before
                    greedy.send(ping);
                    sent.incrementAndGet();
                }
            } catch (IOException closedByTheNode) {
                // expected
            }
        }, "greedy-writer");
        writer.setDaemon(true);
        writer.start();
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (node.stats().get("slow.readers.closed") == 0) {
            assertTrue(System.nanoTime() < deadline, "the node closed the daemon that does not read (sent " + sent + ")");
            Thread.sleep(100);
        }
        writer.join(10_000);
        TestDaemon bobs = daemon();
        bobs.loginOk(bob, "phone", List.of());
        assertEquals(BodyCase.PONG, bobs.pingBarrier(7).getBodyCase(), "the node goes on serving");
    }

    /** Tries to log Alice in until the node has noticed that a connection from the address closed (bounded). */
    private boolean loggedInOnceAnotherCloses() throws Exception {
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (System.nanoTime() < deadline) {
            try (TestDaemon attempt = TestDaemon.connect(node.tlsPort(), node.nodeId())) {
                if (attempt.login(alice, "laptop", true, List.of()).hasWelcome()) {
                    return true;
                }
            } catch (IOException refusedStill) {
                // closed by the node: the earlier connection is not yet counted out
            }
            Thread.sleep(50);
        }
        return false;
    }

    private TestDaemon daemon() throws Exception {
        TestDaemon daemon = TestDaemon.connect(node.tlsPort(), node.nodeId());
        daemons.add(daemon);
        return daemon;
    }

    private static NodeFrame connect(ByteString id, UserId callee) {
        return NodeFrame.newBuilder().setConnect(Connect.newBuilder()
                .setConnectionId(id).setCalleeUser(callee.toString()).setCalleeDevice("phone")
                .setCalleeApp("chat-server").setCallerApp("chat").setType(ChannelType.DATA)
                .setOffer(ByteString.copyFromUtf8("offer"))).build();
    }

}
