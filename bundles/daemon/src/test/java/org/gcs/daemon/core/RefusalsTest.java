package org.gcs.daemon.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.gcs.api.UserId;
import org.gcs.api.transport.Role;
import org.gcs.api.wire.NodeWire;
import org.gcs.api.wire.NodeWire.NodeFrame;
import org.gcs.api.wire.NodeWire.Status;
import org.gcs.daemon.core.DaemonSettings.Privacy;
import org.gcs.daemon.testing.TestCredentials;
import org.gcs.daemon.testing.TestNode;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A node that forges ConnectRequests to a device must not learn, from the answers, who is on the device's friends list:
 * in the local privacy modes every "no" before a channel exists reaches the node as the same response. The test plays
 * the malicious node: it sends Bob's daemon one forged request of each kind (a stranger, and a friend's request with a
 * bad caller device, an unknown app, an unsupported channel type, a bad signature) and compares what comes back. It
 * also checks that no ICE session was built for any of them.
 */
class RefusalsTest extends DaemonFlowFixture {
    private static final SecureRandom RANDOM = new SecureRandom();

    private Daemon daemon(String name, String device, Privacy privacy) throws Exception {
        Files.createDirectories(dir.resolve(name));
        Daemon d = new Daemon(settings(name, device, privacy, false, Duration.ofSeconds(5), Duration.ofSeconds(5)), store,
                transport, scheme -> "pk".equals(scheme) ? TestCredentials.authProvider() : null);
        d.start();
        closeLater.add(d);
        return d;
    }

    private static NodeWire.ConnectRequest.Builder request(UserId caller, String app, NodeWire.ChannelType type) {
        byte[] id = new byte[16];
        RANDOM.nextBytes(id);
        return NodeWire.ConnectRequest.newBuilder().setConnectionId(ByteString.copyFrom(id))
                .setCallerUser(caller.toString()).setCallerDevice("laptop").setCallerApp("chat").setCalleeApp(app)
                .setType(type).setOffer(ByteString.copyFromUtf8("forged offer"))
                .setOfferSignature(ByteString.copyFrom(new byte[64])).setCallerPublicKey(ByteString.copyFrom(new byte[32]))
                .setTimestampMs(System.currentTimeMillis());
    }

    @ParameterizedTest
    @EnumSource(value = Privacy.class, names = {"LOCAL", "LOCAL_AUTHENTICATED"})
    void everyForgedRequestGetsTheSameAnswerAndBuildsNoSession(Privacy privacy) throws Exception {
        Daemon bob = daemon("bob", "phone", privacy);
        UserId alice = TestCredentials.newCredential().user();
        UserId stranger = TestCredentials.newCredential().user();
        Files.writeString(dir.resolve("bob").resolve("friends.txt"), alice + " +auth Alice\n", StandardCharsets.UTF_8);
        bob.checkFriends();
        await(bob::nodeConnected, "bob's login");
        listen(bob, "chat", serverSocket().getLocalPort());

        Map<String, NodeWire.ConnectRequest> forged = new LinkedHashMap<>();
        forged.put("a stranger", request(stranger, "chat", NodeWire.ChannelType.DATA).build());
        forged.put("a friend from a device id that does not parse",
                request(alice, "chat", NodeWire.ChannelType.DATA).setCallerDevice("bad device/id").build());
        forged.put("a friend, for an app nobody listens for", request(alice, "nosuchapp", NodeWire.ChannelType.DATA).build());
        forged.put("a friend, with an unsupported channel type",
                request(alice, "chat", NodeWire.ChannelType.CHANNEL_TYPE_UNSPECIFIED).build());
        forged.put("a friend, with a signature that does not verify", request(alice, "chat", NodeWire.ChannelType.DATA).build());

        List<String> seen = new ArrayList<>();
        for (Map.Entry<String, NodeWire.ConnectRequest> f : forged.entrySet()) {
            node.sendTo(bob.user(), "phone", NodeFrame.newBuilder().setConnectRequest(f.getValue()).build());
            TestNode.Received r = node.next(NodeFrame.BodyCase.CONNECT_RESPONSE, 10_000);
            assertNotNull(r, "bob's daemon answered " + f.getKey());
            NodeWire.ConnectResponse answer = r.frame().getConnectResponse();
            assertEquals(f.getValue().getConnectionId(), answer.getConnectionId());
            // everything but the connection id, which the node chose itself
            seen.add(f.getKey() + " -> " + answer.toBuilder().clearConnectionId().build().toString().replace('\n', ' '));
        }
        String first = seen.get(0).substring(seen.get(0).indexOf(" -> "));
        for (String s : seen) {
            assertEquals(first, s.substring(s.indexOf(" -> ")), "the node can tell these apart: " + seen);
        }
        assertTrue(first.contains("REFUSED") && first.contains(Daemon.DECLINED), first);
        assertEquals(0, transport.created.stream().filter(s -> s.options.role() == Role.CONTROLLED).count(),
                "no session was built for a forged request");
    }

    @org.junit.jupiter.api.Test
    void inUploadModeTheCallerGetsThePreciseReason() throws Exception {
        Daemon bob = daemon("bob", "phone", Privacy.UPLOAD);
        UserId alice = TestCredentials.newCredential().user();
        Files.writeString(dir.resolve("bob").resolve("friends.txt"), alice + " +auth Alice\n", StandardCharsets.UTF_8);
        bob.checkFriends();
        await(bob::nodeConnected, "bob's login");
        listen(bob, "chat", serverSocket().getLocalPort());

        node.sendTo(bob.user(), "phone", NodeFrame.newBuilder()
                .setConnectRequest(request(alice, "chat", NodeWire.ChannelType.DATA)).build());
        TestNode.Received r = node.next(NodeFrame.BodyCase.CONNECT_RESPONSE, 10_000);
        assertNotNull(r);
        assertEquals(Status.UNAUTHENTICATED, r.frame().getConnectResponse().getStatus());
        assertEquals(0, transport.created.stream().filter(s -> s.options.role() == Role.CONTROLLED).count(),
                "no session was built before the signature was checked");
    }

    @org.junit.jupiter.api.Test
    void aCallerWhoseConnectFailedSendsNoMoreSignalsForIt() throws Exception {
        Daemon alice = daemon("alice", "laptop", Privacy.UPLOAD);
        await(alice::nodeConnected, "alice's login");
        org.gcs.daemon.testing.TestApp caller = org.gcs.daemon.testing.TestApp.of(alice);
        closeLater.add(caller);
        caller.hello();
        UserId nobody = TestCredentials.newCredential().user();
        caller.send(connect(nobody, "phone", "chat", NodeWire.ChannelType.DATA, 1));
        assertEquals(Status.UNKNOWN_USER, caller.read().getOutgoingResult().getStatus());
        FakeTransportSessions.controlling(transport).emit("cand:late-turn-candidate");
        long deadline = System.nanoTime() + 700_000_000L;
        TestNode.Received r;
        while ((r = node.next(NodeFrame.BodyCase.SIGNAL, Math.max(1, (deadline - System.nanoTime()) / 1_000_000))) != null) {
            // the signal of the description, emitted before the connect failed, may arrive around the result
            assertTrue(!r.frame().getSignal().getPayload().toStringUtf8().contains("late"),
                    "a signal for a connect that had already failed reached the node");
        }
    }

    /** The caller's sessions of a test. */
    private static final class FakeTransportSessions {
        static org.gcs.daemon.testing.FakeTransport.Session controlling(org.gcs.daemon.testing.FakeTransport t) {
            return t.created.stream().filter(s -> s.options.role() == Role.CONTROLLING).findFirst().orElseThrow();
        }
    }
}
