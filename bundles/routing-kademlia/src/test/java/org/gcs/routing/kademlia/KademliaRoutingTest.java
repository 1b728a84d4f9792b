package org.gcs.routing.kademlia;

import static org.gcs.routing.kademlia.Routing.LAPTOP;
import static org.gcs.routing.kademlia.Routing.PHONE;
import static org.gcs.routing.kademlia.Routing.R;
import static org.gcs.routing.kademlia.Routing.attach;
import static org.gcs.routing.kademlia.Routing.await;
import static org.gcs.routing.kademlia.Routing.closest;
import static org.gcs.routing.kademlia.Routing.eventually;
import static org.gcs.routing.kademlia.Routing.failure;
import static org.gcs.routing.kademlia.Routing.ids;
import static org.gcs.routing.kademlia.Routing.message;
import static org.gcs.routing.kademlia.Routing.pair;
import static org.gcs.routing.kademlia.Routing.router;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import org.gcs.api.DeviceOfflineException;
import org.gcs.api.GcsException;
import org.gcs.api.NodeId;
import org.gcs.api.UnknownUserException;
import org.gcs.api.UserId;
import org.gcs.api.routing.Endpoint;
import org.gcs.api.routing.FriendsPolicy;
import org.gcs.api.routing.NodeAddress;
import org.gcs.api.routing.Presence;
import org.gcs.api.routing.RoutedMessage;
import org.gcs.api.routing.RoutedMessage.Kind;
import org.gcs.contracts.RouterContract.RecordingSink;
import org.gcs.routing.kademlia.dht.Key;
import org.gcs.routing.kademlia.link.NodeKeys;
import org.gcs.routing.kademlia.link.TestKeys;
import org.gcs.routing.kademlia.route.KademliaNode;
import org.gcs.routing.kademlia.route.RouteCodec;
import org.gcs.routing.kademlia.route.wire.RouteWire;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Routing on six Kademlia nodes: agreed XOR-closest handlers, connects across nodes, hints, failover, dead nodes, moves. */
@Timeout(value = 40, unit = TimeUnit.SECONDS)
class KademliaRoutingTest {
    private final List<AutoCloseable> started = new ArrayList<>();

    @AfterEach
    void stopEverything() throws Exception {
        for (AutoCloseable c : started) {
            c.close();
        }
    }

    @Test
    void everyNodeNamesTheSameThreeHandlersTheClosestByXor() throws Exception {
        TestCluster cluster = cluster(6);
        for (int i = 0; i < 8; i++) {
            UserId user = UserId.of("pk", "user" + i);
            List<NodeId> expected = closest(user, ids(cluster), R);
            for (KademliaRouter router : cluster.kademliaRouters()) {
                assertEquals(expected, ids(await(router.handlers(user))),
                        "node " + router.node().id() + " names the 3 nodes closest to " + user);
            }
        }
    }

    @Test
    void aConnectRequestCrossesBetweenNodesThatHandleNeitherEnd() throws Exception {
        TestCluster cluster = cluster(6);
        Routing.Pair pair = pair(cluster);
        attach(cluster, pair.alice(), LAPTOP, pair.a());
        RecordingSink phone = attach(cluster, pair.bob(), PHONE, pair.b());
        RoutedMessage request = message(pair.a(), Kind.CONNECT_REQUEST, pair.alice(), pair.bob(), null, "connect");

        await(router(cluster, pair.a()).deliver(request));

        assertEquals(List.of(request), phone.delivered);
        assertEquals(pair.a(), phone.delivered.get(0).origin(), "Bob's node saw the node Alice is attached to");
    }

    @Test
    void aHintedSignalGoesStraightToTheNamedNodeWithoutTheHandlers() throws Exception {
        TestCluster cluster = cluster(6);
        Routing.Pair pair = pair(cluster);
        List<NodeId> bobsHandlers = closest(pair.bob(), ids(cluster), R);
        NodeId n = ids(cluster).stream().filter(id -> !bobsHandlers.contains(id) && !id.equals(pair.a())).findFirst()
                .orElseThrow();
        attach(cluster, pair.alice(), LAPTOP, pair.a());
        // the router does not check where a device attaches (the node core does); a non-handler node shows the path
        RecordingSink phone = attach(cluster, pair.bob(), PHONE, n);
        for (NodeId handler : bobsHandlers) {
            await(router(cluster, handler).stop());
        }
        RoutedMessage hinted = message(pair.a(), Kind.SIGNAL, pair.alice(), pair.bob(), n, "hinted");
        RoutedMessage unhinted = message(pair.a(), Kind.SIGNAL, pair.alice(), pair.bob(), null, "unhinted");

        await(router(cluster, pair.a()).deliver(hinted));
        Throwable viaHandlers = failure(router(cluster, pair.a()).deliver(unhinted));

        assertEquals(List.of(hinted), phone.delivered, "only the hinted signal arrived, though no handler knows Bob");
        assertTrue(viaHandlers instanceof GcsException, "without the hint the message needs Bob's handlers, which are"
                + " gone (the survivors do not know him, or cannot check Alice with her dead handlers): " + viaHandlers);
    }

    @Test
    void whenBobsNodeStopsHeIsReachedAtHisNextHandlerAndStaleHintsFallBack() throws Exception {
        TestCluster cluster = cluster(6);
        Routing.Pair pair = pair(cluster);
        List<NodeId> bobsHandlers = closest(pair.bob(), ids(cluster), R);
        NodeId b0 = bobsHandlers.get(0);
        NodeId b1 = bobsHandlers.get(1);
        assertEquals(b0, pair.b(), "Bob is attached at his first handler");
        UserId carol = Routing.user("carol", u -> !u.equals(pair.alice()) && !u.equals(pair.bob())
                && closest(u, ids(cluster), R).contains(b0));
        attach(cluster, pair.alice(), LAPTOP, pair.a());
        RecordingSink first = attach(cluster, pair.bob(), PHONE, b0);
        attach(cluster, carol, PHONE, b0);
        KademliaRouter alices = router(cluster, pair.a());
        await(alices.deliver(message(pair.a(), Kind.CONNECT_REQUEST, pair.alice(), pair.bob(), null, "before")));
        assertEquals(1, first.delivered.size());

        await(router(cluster, b0).stop());
        RecordingSink second = attach(cluster, pair.bob(), PHONE, b1);
        RoutedMessage request = message(pair.a(), Kind.CONNECT_REQUEST, pair.alice(), pair.bob(), null, "after");
        await(alices.deliver(request));

        assertEquals(List.of(request), second.delivered, "the request passed over the dead first handler");
        assertEquals(pair.a(), second.delivered.get(0).origin());
        List<KademliaRouter> live = cluster.kademliaRouters().stream().filter(r -> r.node() != null).toList();
        assertTrue(eventually(Duration.ofSeconds(10), () -> live.stream().allMatch(r ->
                        failureOrNull(r.devices(new Endpoint(pair.alice(), LAPTOP), carol)) instanceof UnknownUserException)),
                "Carol, attached only at the stopped node, is unknown everywhere");

        RoutedMessage stale = message(pair.a(), Kind.SIGNAL, pair.alice(), pair.bob(), b0, "stale hint");
        await(alices.deliver(stale));
        assertEquals(List.of(request, stale), second.delivered, "a stale hint falls back to the handlers");
        assertEquals(1, first.delivered.size());
    }

    @Test
    void aCrashedNodesPresencesAreForgottenByEachHandlerThatFailsToReachIt() throws Exception {
        TestCluster cluster = cluster(6);
        Routing.Pair pair = pair(cluster);
        UserId carol = Routing.user("carol", u -> !u.equals(pair.alice()));
        attach(cluster, pair.alice(), LAPTOP, pair.a());
        HostileNode crashing = HostileNode.start(HostileNode.REFUSE_ALL);
        started.add(crashing);
        byte[] put = RouteWire.PresencePut.newBuilder()
                .addPresences(RouteCodec.presence(new Endpoint(carol, PHONE), FriendsPolicy.OPEN))
                .setTtlSeconds(3600)
                .setNode(RouteWire.NodeInfo.newBuilder().setDaemonHost("127.0.0.1").setDaemonPort(21_999))
                .build().toByteArray();
        for (NodeId handler : closest(carol, ids(cluster), R)) {
            assertEquals(RouteWire.Code.OK, HostileNode.code(crashing.await(router(cluster, handler).node(),
                    RouteWire.Method.PRESENCE_PUT, put)));
        }
        KademliaRouter alices = router(cluster, pair.a());
        assertEquals(List.of(PHONE), await(alices.devices(new Endpoint(pair.alice(), LAPTOP), carol)));

        crashing.close(); // no PRESENCE_DROP: it crashed
        List<Class<?>> outcomes = new ArrayList<>();
        for (int attempt = 0; attempt < 2 * R + 2; attempt++) {
            Throwable f = failure(alices.deliver(message(pair.a(), Kind.CONNECT_REQUEST, pair.alice(), carol, null, "x")));
            outcomes.add(f.getClass());
            if (f instanceof UnknownUserException) {
                break;
            }
            assertInstanceOf(DeviceOfflineException.class, f, "a handler that cannot reach the node says offline");
        }

        assertEquals(DeviceOfflineException.class, outcomes.get(0), "the first request found the presence: " + outcomes);
        assertEquals(UnknownUserException.class, outcomes.get(outcomes.size() - 1),
                "every handler forgot the unreachable node's presence after failing to deliver there: " + outcomes);
        for (KademliaRouter router : cluster.kademliaRouters()) {
            assertInstanceOf(UnknownUserException.class, failure(router.devices(new Endpoint(pair.alice(), LAPTOP), carol)));
        }
    }

    @Test
    void aDeviceIsToldToMoveWhenACloserNodeJoins() throws Exception {
        Duration republish = Duration.ofMillis(300);
        UnaryOperator<KademliaNode.Settings> r1 = s -> Routing.with(s, 1, republish, 200);
        TestCluster cluster = Routing.start(3, r1, 21_000);
        started.add(cluster);
        KademliaRouter first = cluster.kademliaRouters().get(0);
        UserId user = UserId.of("pk", "mover");
        NodeId handler = closest(user, ids(cluster), 1).get(0);
        assertEquals(List.of(handler), ids(await(first.handlers(user))));
        RecordingSink phone = attach(cluster, user, PHONE, handler);
        Thread.sleep(4 * republish.toMillis());
        assertTrue(phone.movedTo.isEmpty(), "no move while her handler stays the closest node: " + phone.movedTo);

        Key key = Key.ofUser(user);
        NodeKeys closer = null;
        for (int i = 0; i < 1000 && closer == null; i++) {
            NodeKeys candidate = TestKeys.generate();
            if (key.compareDistance(Key.of(candidate.id()), Key.of(handler)) < 0) {
                closer = candidate;
            }
        }
        assertTrue(closer != null, "found an identity closer to the user than her handler");
        TestCluster.TestIdentity identity = new TestCluster.TestIdentity(closer);
        KademliaRouter newcomer = new KademliaRouter(identity, r1.apply(TestCluster.settings(List.of(Routing.seed(cluster)))));
        await(newcomer.start(new NodeAddress(identity.id(), "127.0.0.1", 21_003)));
        started.add(() -> newcomer.stop().join());

        assertTrue(eventually(Duration.ofSeconds(10), () -> !phone.movedTo.isEmpty()),
                "the device was told to move to the newcomer");
        assertEquals(identity.id(), phone.movedTo.get(0).get(0).id(), "the new handlers start with the newcomer");
        assertEquals(new NodeAddress(identity.id(), "127.0.0.1", 21_003), phone.movedTo.get(0).get(0));
        assertTrue(phone.replacedBy.isEmpty(), "a move is not a replacement");
    }

    @Test
    void afterTwoOfAlicesHandlersDieHerConnectRequestsAreServedAgainOnceHerNodeRepublished() throws Exception {
        Duration republish = Duration.ofMillis(300);
        TestCluster cluster = Routing.start(6, s -> Routing.with(s, R, republish, 600_000), 20_000);
        started.add(cluster);
        List<NodeId> nodes = ids(cluster);
        UserId alice = UserId.of("pk", "alice");
        List<NodeId> hers = closest(alice, nodes, R);
        UserId bob = Routing.user("bob", u -> closest(u, nodes, R).stream().noneMatch(hers::contains));
        NodeId a = hers.get(0);
        NodeId b = closest(bob, nodes, R).get(0);
        attach(cluster, alice, LAPTOP, a);
        RecordingSink phone = attach(cluster, bob, PHONE, b);
        for (NodeId other : hers.subList(1, R)) {
            await(router(cluster, other).stop());
        }

        List<Throwable> failures = new ArrayList<>();
        boolean served = eventually(Duration.ofSeconds(10), () -> {
            Throwable f = failureOrNull(router(cluster, a).deliver(message(a, Kind.CONNECT_REQUEST, alice, bob, null, "x")));
            if (f != null) {
                failures.add(f);
            }
            return f == null;
        });

        assertTrue(served, "Alice's requests are served again within 10 s (republish every 300 ms); failures: "
                + failures.size() + ", last: " + (failures.isEmpty() ? null : failures.get(failures.size() - 1)));
        assertTrue(phone.delivered.size() >= 1);
    }

    // ----- helpers

    @Test
    void aFriendsListOfSeveralFramesReachesEveryHandlerInParts() throws Exception {
        TestCluster cluster = cluster(6);
        Routing.Pair pair = pair(cluster);
        List<String> friends = new ArrayList<>();
        for (int i = 0; i < 99_999; i++) {
            friends.add("pk:friend-of-bob-number-" + i); // about 3 MB: more than a link frame (1 MiB)
        }
        friends.add(pair.alice().toString()); // the last entry: only a complete list lets her through
        List<NodeId> his = closest(pair.bob(), ids(cluster), R);
        NodeId bobsNode = ids(cluster).stream().filter(n -> !his.contains(n) && !n.equals(pair.a())).findFirst()
                .orElseThrow(); // not one of his handlers: every handler gets the presence over a link
        await(router(cluster, bobsNode).attach(new Presence(new Endpoint(pair.bob(), PHONE), bobsNode,
                FriendsPolicy.of(true, friends)), new RecordingSink()));
        for (NodeId handler : his) { // each handler answers from what it stored
            KademliaRouter r = router(cluster, handler);
            assertEquals(List.of(PHONE), await(r.devices(new Endpoint(pair.alice(), LAPTOP), pair.bob())),
                    "handler " + handler + " has the whole list");
            assertInstanceOf(UnknownUserException.class, failure(r.devices(
                    new Endpoint(UserId.of("pk", "stranger"), LAPTOP), pair.bob())), "a stranger is refused");
        }
    }

    private TestCluster cluster(int size) throws InterruptedException {
        TestCluster cluster = TestCluster.start(size);
        started.add(cluster);
        return cluster;
    }

    private static Throwable failureOrNull(CompletableFuture<?> future) {
        try {
            future.get(Routing.TIMEOUT_SECONDS, TimeUnit.SECONDS);
            return null;
        } catch (ExecutionException e) {
            return RouteCodec.unwrap(e.getCause());
        } catch (Exception e) {
            return e;
        }
    }

}
