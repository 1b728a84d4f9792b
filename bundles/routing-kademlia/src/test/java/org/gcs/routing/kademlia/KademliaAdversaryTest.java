package org.gcs.routing.kademlia;

import static org.gcs.routing.kademlia.Routing.LAPTOP;
import static org.gcs.routing.kademlia.Routing.PHONE;
import static org.gcs.routing.kademlia.Routing.R;
import static org.gcs.routing.kademlia.Routing.attach;
import static org.gcs.routing.kademlia.Routing.await;
import static org.gcs.routing.kademlia.Routing.closest;
import static org.gcs.routing.kademlia.Routing.eventually;
import static org.gcs.routing.kademlia.Routing.ids;
import static org.gcs.routing.kademlia.Routing.message;
import static org.gcs.routing.kademlia.Routing.pair;
import static org.gcs.routing.kademlia.Routing.router;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.gcs.api.NodeId;
import org.gcs.api.UserId;
import org.gcs.api.routing.Endpoint;
import org.gcs.api.routing.NodeAddress;
import org.gcs.api.routing.RoutedMessage;
import org.gcs.api.routing.RoutedMessage.Kind;
import org.gcs.contracts.RouterContract.RecordingSink;
import org.gcs.routing.kademlia.link.Link;
import org.gcs.routing.kademlia.link.LinkClosedException;
import org.gcs.routing.kademlia.link.LinkConfig;
import org.gcs.routing.kademlia.link.PeerBusyException;
import org.gcs.routing.kademlia.link.RemoteCallException;
import org.gcs.routing.kademlia.link.RequestHandler;
import org.gcs.routing.kademlia.link.TestKeys;
import org.gcs.routing.kademlia.route.KademliaNode;
import org.gcs.routing.kademlia.route.RouteCodec;
import org.gcs.routing.kademlia.route.wire.RouteWire;
import org.gcs.routing.kademlia.route.wire.RouteWire.Method;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Hostile nodes speaking the real protocol against six honest nodes: forged callers, wrong ids, floods, lies, garbage. */
@Timeout(value = 40, unit = TimeUnit.SECONDS)
class KademliaAdversaryTest {
    private final List<AutoCloseable> started = new ArrayList<>();

    @AfterEach
    void stopEverything() throws Exception {
        for (AutoCloseable c : started) {
            c.close();
        }
    }

    @Test
    void aNodeCannotSpeakForACallerItDoesNotHost() throws Exception {
        TestCluster cluster = cluster();
        Routing.Pair pair = pair(cluster);
        attach(cluster, pair.alice(), LAPTOP, pair.a());
        RecordingSink phone = attach(cluster, pair.bob(), PHONE, pair.b());
        HostileNode forger = hostile(HostileNode.REFUSE_ALL);
        byte[] fromItself = routed(message(forger.id(), Kind.CONNECT_REQUEST, pair.alice(), pair.bob(), null, "forged"));
        byte[] fromAlicesNode = routed(message(pair.a(), Kind.CONNECT_REQUEST, pair.alice(), pair.bob(), null, "forged"));

        for (NodeId handler : closest(pair.bob(), ids(cluster), R)) {
            KademliaNode bobsHandler = router(cluster, handler).node();
            assertEquals(RouteWire.Code.PROTOCOL, code(forger, bobsHandler, Method.ROUTE, fromItself),
                    "a handler refuses a caller not attached at the routing node");
            assertEquals(RouteWire.Code.PROTOCOL, code(forger, bobsHandler, Method.ROUTE, fromAlicesNode),
                    "a handler refuses a message whose origin is not the routing node");
        }
        KademliaNode bobsNode = router(cluster, pair.b()).node();
        assertEquals(RouteWire.Code.PROTOCOL, code(forger, bobsNode, Method.DELIVER, fromItself),
                "Bob's node takes a connect request only from one of his handlers");
        assertEquals(RouteWire.Code.PROTOCOL, code(forger, bobsNode, Method.DELIVER,
                        routed(message(pair.a(), Kind.SIGNAL, pair.alice(), pair.bob(), pair.b(), "forged origin"))),
                "Bob's node takes a message of another origin only from one of his handlers");
        assertTrue(phone.delivered.isEmpty(), "Bob's device heard nothing: " + phone.delivered);

        RoutedMessage genuine = message(pair.a(), Kind.CONNECT_REQUEST, pair.alice(), pair.bob(), null, "genuine");
        await(router(cluster, pair.a()).deliver(genuine));
        assertEquals(List.of(genuine), phone.delivered);
    }

    @Test
    void aNodeWhoseKeyDoesNotMatchTheClaimedIdIsNeverJoined() throws Exception {
        TestCluster cluster = cluster();
        KademliaNode real = cluster.kademliaRouters().get(0).node();
        NodeId claimed = cluster.nodes().get(1).id();
        NodeAddress wrong = new NodeAddress(claimed, "127.0.0.1", real.linkAddress().getPort());
        TestCluster.TestIdentity identity = new TestCluster.TestIdentity(TestKeys.generate());
        KademliaRouter misled = new KademliaRouter(identity, TestCluster.settings(List.of(wrong)));
        await(misled.start(new NodeAddress(identity.id(), "127.0.0.1", 22_000)));
        started.add(() -> misled.stop().join());

        assertFalse(eventually(Duration.ofMillis(2500), () -> misled.node().contacts() > 0),
                "a node never joins through a node whose key does not hash to the id it was given");
        for (KademliaRouter router : cluster.kademliaRouters()) {
            assertEquals(cluster.nodes().size() - 1, router.node().contacts(), "no honest node learned of it");
        }
        assertClusterServes(cluster, "wrongid");
    }

    @Test
    void aNodeFloodingLookupsIsRateLimitedWhileHonestNodesAreServed() throws Exception {
        // 50 queries at once, then 10 a second: within the test's time limit at most 450 of 2000 can be served
        TestCluster cluster = Routing.start(6, s -> new KademliaNode.Settings(s.linkHost(), s.linkPort(),
                s.advertisedLinkHost(), s.bootstrap(), s.replicas(), s.kad().withRateLimit(50, 10), s.link(),
                s.callTimeout(), s.republish(), s.maxPresencesPerNode()), 20_000);
        started.add(cluster);
        KademliaNode victim = cluster.kademliaRouters().get(0).node();
        HostileNode flooder = hostile(HostileNode.REFUSE_ALL);
        SplittableRandom random = new SplittableRandom(7);
        int answered = 0;
        int limited = 0;
        List<Throwable> others = new ArrayList<>();
        for (int batch = 0; batch < 20; batch++) {
            List<CompletableFuture<byte[]>> calls = new ArrayList<>();
            for (int i = 0; i < 100; i++) {
                byte[] key = new byte[32];
                random.nextBytes(key);
                calls.add(flooder.call(victim, Method.FIND_NODE,
                        RouteWire.FindNode.newBuilder().setKey(ByteString.copyFrom(key)).build().toByteArray()));
            }
            for (CompletableFuture<byte[]> call : calls) {
                try {
                    call.get(10, TimeUnit.SECONDS);
                    answered++;
                } catch (ExecutionException e) {
                    Throwable cause = RouteCodec.unwrap(e.getCause());
                    if (cause instanceof RemoteCallException refused && !(cause instanceof PeerBusyException)
                            && refused.remoteMessage().contains("exceeded")) {
                        limited++;
                    } else {
                        others.add(cause);
                    }
                }
            }
        }

        assertTrue(others.isEmpty(), "every call was answered or rate-limited: " + others.stream().limit(3).toList());
        assertTrue(answered >= 1, "the first queries within the burst are answered");
        assertTrue(limited >= 1000, "most of 2000 queries are refused: " + limited + " refused, " + answered + " answered");
        KademliaRouter victims = cluster.kademliaRouters().get(0);
        Routing.Pair pair = pair(cluster, victim.id());
        attach(cluster, pair.alice(), LAPTOP, pair.a());
        RecordingSink phone = attach(cluster, pair.bob(), PHONE, pair.b());
        RoutedMessage request = message(victim.id(), Kind.CONNECT_REQUEST, pair.alice(), pair.bob(), null, "through");
        await(victims.deliver(request));
        assertEquals(List.of(request), phone.delivered, "the flooded node still routes its own devices' requests");
        assertClusterServes(cluster, "flood");
    }

    @Test
    void bogusContactsInLookupAnswersNeverBecomeHandlers() throws Exception {
        TestCluster cluster = cluster();
        List<Integer> deadPorts = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                deadPorts.add(s.getLocalPort());
            }
        }
        List<Integer> honestPorts = cluster.kademliaRouters().stream().map(r -> r.node().linkAddress().getPort()).toList();
        HostileNode liar = hostile(lies((key, i) -> RouteWire.Contact.newBuilder().setNodeId(near(key, i))
                .setHost("127.0.0.1")
                .setPort(i % 2 == 0 ? deadPorts.get(i / 2 % deadPorts.size()) : honestPorts.get(i / 2 % honestPorts.size()))
                .build()));
        HostileNode namer = hostile(lies((key, i) -> RouteWire.Contact.newBuilder().setNodeId(near(key, i))
                .setHost(i % 2 == 0 ? "localhost" : "evil.example").setPort(honestPorts.get(0)).build()));
        for (KademliaRouter router : cluster.kademliaRouters()) {
            liar.join(router.node());
            namer.join(router.node());
        }
        List<NodeId> honest = ids(cluster);
        List<NodeId> everyone = Stream.concat(honest.stream(), Stream.of(liar.id(), namer.id())).toList();
        int liarAsked = liar.received(Method.FIND_NODE);
        int namerAsked = namer.received(Method.FIND_NODE);

        for (int u = 0; u < 5; u++) {
            UserId user = Routing.user("lied" + u + "-", x -> honest.containsAll(closest(x, everyone, R)));
            List<NodeId> expected = closest(user, honest, R);
            for (KademliaRouter router : cluster.kademliaRouters()) {
                assertEquals(expected, ids(await(router.handlers(user))),
                        "node " + router.node().id() + " names the honest handlers of " + user);
            }
        }

        assertTrue(liar.received(Method.FIND_NODE) > liarAsked, "the lookups heard the invented contacts");
        assertTrue(namer.received(Method.FIND_NODE) > namerAsked, "the lookups heard the host names");
        assertClusterServes(cluster, "lies", List.of(liar.id(), namer.id()));
    }

    @Test
    void malformedBodiesOfEveryMethodAreRefusedAndTheNodeGoesOn() throws Exception {
        TestCluster cluster = cluster();
        KademliaNode victim = cluster.kademliaRouters().get(0).node();
        HostileNode sender = HostileNode.start(LinkConfig.defaults().withMaxFrameBytes(4 * 1024 * 1024),
                HostileNode.REFUSE_ALL);
        started.add(sender);
        byte[] garbage = new byte[16];
        Arrays.fill(garbage, (byte) 0xFF);
        byte[] bigGarbage = new byte[1_000_000];
        Arrays.fill(bigGarbage, (byte) 0xFF);
        UserId stranger = UserId.of("pk", "stranger");
        byte[] bigRouted = RouteWire.Routed.newBuilder()
                .mergeFrom(routed(message(sender.id(), Kind.CONNECT_REQUEST, stranger, stranger, null, "x")))
                .setPayload(ByteString.copyFrom(new byte[1_000_000])).build().toByteArray();
        byte[] kindOnly = RouteWire.Routed.newBuilder().setKind(RouteWire.Kind.CONNECT_REQUEST).build().toByteArray();
        byte[] shortOrigin = RouteWire.Routed.newBuilder()
                .mergeFrom(routed(message(sender.id(), Kind.SIGNAL, stranger, stranger, null, "x")))
                .setOrigin(ByteString.copyFrom(new byte[5])).build().toByteArray();
        List<Integer> methods = List.of(Method.FIND_NODE.getNumber(), Method.DEVICES.getNumber(),
                Method.PRESENCE_PUT.getNumber(), Method.PRESENCE_DROP.getNumber(), Method.REPLACED.getNumber(),
                Method.PRESENCE_CHECK.getNumber(), Method.ROUTE.getNumber(), Method.DELIVER.getNumber(),
                Method.METHOD_UNSPECIFIED.getNumber(), 99);
        Link link = await(sender.endpoint().link(victim.id(), victim.linkAddress()));

        List<String> accepted = new ArrayList<>();
        for (int method : methods) {
            for (byte[] body : List.of(garbage, new byte[0], bigGarbage)) {
                refusal(sender, victim, method, body).ifPresent(accepted::add);
            }
        }
        for (int method : List.of(Method.ROUTE.getNumber(), Method.DELIVER.getNumber())) {
            for (byte[] body : List.of(bigRouted, kindOnly, shortOrigin)) {
                refusal(sender, victim, method, body).ifPresent(accepted::add);
            }
        }
        assertTrue(accepted.isEmpty(), "malformed calls answered FAILED or PROTOCOL: " + accepted);
        assertTrue(link.isOpen(), "malformed bodies within the frame limit leave the link open: " + link.closeReason());
        assertEquals(link, sender.endpoint().existingLink(victim.id()).orElseThrow());

        Throwable tooLong = Routing.failure(link.call(Method.INFO.getNumber(), new byte[1_500_000], Duration.ofSeconds(5)));
        assertInstanceOf(LinkClosedException.class, tooLong, "a frame above the node's limit closes the link");
        assertTrue(eventually(Duration.ofSeconds(5), () -> !link.isOpen()));
        RouteWire.NodeInfo info = RouteWire.NodeInfo.parseFrom(sender.await(victim, Method.INFO, new byte[0]));
        assertEquals(cluster.nodes().get(0).port(), info.getDaemonPort(), "a new link serves again");
        assertNotSame(link, sender.endpoint().existingLink(victim.id()).orElseThrow());
        assertClusterServes(cluster, "garbage");
    }

    // ----- helpers

    private TestCluster cluster() throws InterruptedException {
        TestCluster cluster = TestCluster.start(6);
        started.add(cluster);
        return cluster;
    }

    private HostileNode hostile(RequestHandler behaviour) throws IOException {
        HostileNode node = HostileNode.start(behaviour);
        started.add(node);
        return node;
    }

    /** A contact the liar invents for a lookup of {@code key}: the {@code i}-th. */
    private interface Invention {
        RouteWire.Contact contact(byte[] key, int i);
    }

    /** A node that answers pings and INFO honestly and every FIND_NODE with 8 invented contacts near the key. */
    private static RequestHandler lies(Invention invent) {
        return (peer, address, method, body) -> {
            try {
                if (method == Method.PING.getNumber()) {
                    return CompletableFuture.completedFuture(new byte[0]);
                }
                if (method == Method.INFO.getNumber()) {
                    return CompletableFuture.completedFuture(RouteWire.NodeInfo.newBuilder().setDaemonHost("127.0.0.1")
                            .setDaemonPort(22_001).build().toByteArray());
                }
                if (method == Method.FIND_NODE.getNumber()) {
                    byte[] key = RouteWire.FindNode.parseFrom(body).getKey().toByteArray();
                    RouteWire.Contacts.Builder answer = RouteWire.Contacts.newBuilder();
                    for (int i = 0; i < 8; i++) {
                        answer.addContacts(invent.contact(key, i));
                    }
                    return CompletableFuture.completedFuture(answer.build().toByteArray());
                }
                return HostileNode.REFUSE_ALL.handle(peer, address, method, body);
            } catch (Exception e) {
                return CompletableFuture.failedFuture(e);
            }
        };
    }

    /** An id a hair away from {@code key} (closer to it than any real node). */
    private static ByteString near(byte[] key, int i) {
        byte[] id = key.clone();
        id[31] ^= (byte) (i + 1);
        return ByteString.copyFrom(id);
    }

    private static byte[] routed(RoutedMessage message) {
        return RouteCodec.routed(message).toByteArray();
    }

    private static RouteWire.Code code(HostileNode from, KademliaNode to, Method method, byte[] body) {
        return HostileNode.code(from.await(to, method, body));
    }

    /** Empty when the call was refused as it should be (FAILED, or an Answer PROTOCOL); else what happened. */
    private static Optional<String> refusal(HostileNode from, KademliaNode to, int method, byte[] body) {
        String call = "method " + method + " with " + body.length + " bytes";
        try {
            byte[] answer = from.call(to, method, body).get(10, TimeUnit.SECONDS);
            RouteWire.Code code = HostileNode.code(answer);
            return code == RouteWire.Code.PROTOCOL ? Optional.empty()
                    : Optional.of(call + " answered " + code);
        } catch (ExecutionException e) {
            Throwable cause = RouteCodec.unwrap(e.getCause());
            return cause instanceof RemoteCallException && !(cause instanceof PeerBusyException)
                    ? Optional.empty() : Optional.of(call + " failed with " + cause);
        } catch (Exception e) {
            return Optional.of(call + ": " + e);
        }
    }

    private static void assertClusterServes(TestCluster cluster, String prefix) {
        assertClusterServes(cluster, prefix, List.of());
    }

    /**
     * Every node names the XOR-closest honest handlers of fresh users (users that the live hostile nodes, which may
     * rightly be handlers, are not closest to), and a connect request crosses the cluster.
     */
    private static void assertClusterServes(TestCluster cluster, String prefix, List<NodeId> liveHostiles) {
        List<NodeId> honest = ids(cluster);
        List<NodeId> everyone = Stream.concat(honest.stream(), liveHostiles.stream()).toList();
        for (int u = 0; u < 3; u++) {
            UserId user = Routing.user(prefix + "-check" + u + "-", x -> honest.containsAll(closest(x, everyone, R)));
            List<NodeId> expected = closest(user, honest, R);
            for (KademliaRouter router : cluster.kademliaRouters()) {
                assertEquals(expected, ids(await(router.handlers(user))), "handlers of " + user);
            }
        }
        UserId alice = Routing.user(prefix + "-alice", x -> honest.containsAll(closest(x, everyone, R)));
        UserId bob = Routing.user(prefix + "-bob", x -> honest.containsAll(closest(x, everyone, R)));
        NodeId a = closest(alice, ids(cluster), R).get(0);
        NodeId b = closest(bob, ids(cluster), R).get(0);
        attach(cluster, alice, LAPTOP, a);
        RecordingSink phone = attach(cluster, bob, PHONE, b);
        RoutedMessage request = message(a, Kind.CONNECT_REQUEST, alice, bob, null, "still served");
        await(router(cluster, a).deliver(request));
        assertEquals(List.of(request), phone.delivered, "a connect request still crosses the cluster");
        assertEquals(List.of(PHONE), await(router(cluster, a).devices(new Endpoint(alice, LAPTOP), bob)));
    }
}
