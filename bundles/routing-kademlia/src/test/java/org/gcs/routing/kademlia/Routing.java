package org.gcs.routing.kademlia;

import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;
import java.util.function.UnaryOperator;
import org.gcs.api.DeviceId;
import org.gcs.api.NodeId;
import org.gcs.api.UserId;
import org.gcs.api.routing.Endpoint;
import org.gcs.api.routing.FriendsPolicy;
import org.gcs.api.routing.NodeAddress;
import org.gcs.api.routing.Presence;
import org.gcs.api.routing.RoutedMessage;
import org.gcs.api.routing.RoutedMessage.Kind;
import org.gcs.contracts.RouterContract.RecordingSink;
import org.gcs.routing.kademlia.dht.Key;
import org.gcs.routing.kademlia.route.KademliaNode;

/** Test fixture: the handlers a user should have, bounded waits on futures and conditions, settings variants. */
final class Routing {
    static final long TIMEOUT_SECONDS = 10;
    static final int R = 3;
    static final DeviceId LAPTOP = DeviceId.of("laptop");
    static final DeviceId PHONE = DeviceId.of("phone");

    /** Alice and Bob, Alice's node {@code a} one of her handlers and not Bob's, Bob's node {@code b} his first handler and not Alice's. */
    record Pair(UserId alice, UserId bob, NodeId a, NodeId b) {
    }

    private Routing() {
    }

    /** The {@code r} nodes of {@code nodes} closest to {@code user}'s key in the XOR metric, closest first. */
    static List<NodeId> closest(UserId user, Collection<NodeId> nodes, int r) {
        Key key = Key.ofUser(user);
        return nodes.stream().sorted(Comparator.comparing(Key::of, key::compareDistance)).limit(r).toList();
    }

    static List<NodeId> ids(List<NodeAddress> addresses) {
        return addresses.stream().map(NodeAddress::id).toList();
    }

    static List<NodeId> ids(TestCluster cluster) {
        return ids(cluster.nodes());
    }

    /** The router of node {@code id} in {@code cluster}. */
    static KademliaRouter router(TestCluster cluster, NodeId id) {
        return cluster.kademliaRouters().stream().filter(r -> r.node() != null && r.node().id().equals(id)).findFirst()
                .orElseThrow(() -> new AssertionError("no running router of node " + id));
    }

    static NodeAddress address(TestCluster cluster, NodeId id) {
        return cluster.nodes().stream().filter(a -> a.id().equals(id)).findFirst().orElseThrow();
    }

    /** A pair of users (r = 3) as {@link Pair} says, Alice's node being {@code a} if not null. */
    static Pair pair(TestCluster cluster, NodeId a) {
        List<NodeId> nodes = ids(cluster);
        UserId alice = a == null ? UserId.of("pk", "alice") : user("alice", u -> closest(u, nodes, R).contains(a));
        List<NodeId> hers = closest(alice, nodes, R);
        for (int i = 0; i < 1000; i++) {
            UserId bob = UserId.of("pk", "bob" + i);
            List<NodeId> his = closest(bob, nodes, R);
            NodeId b = his.get(0);
            NodeId mine = hers.stream().filter(h -> !his.contains(h) && (a == null || h.equals(a))).findFirst().orElse(null);
            if (mine != null && !hers.contains(b)) {
                return new Pair(alice, bob, mine, b);
            }
        }
        throw new AssertionError("no pair of users with disjoint handler nodes among 1000");
    }

    static Pair pair(TestCluster cluster) {
        return pair(cluster, null);
    }

    /** The first of {@code prefix}0, {@code prefix}1, ... (1000 at most) that is {@code wanted}. */
    static UserId user(String prefix, Predicate<UserId> wanted) {
        for (int i = 0; i < 1000; i++) {
            UserId user = UserId.of("pk", prefix + i);
            if (wanted.test(user)) {
                return user;
            }
        }
        throw new AssertionError("no such user among 1000");
    }

    /** Attaches {@code user}'s {@code device} at {@code node} with a new recording sink and an open policy. */
    static RecordingSink attach(TestCluster cluster, UserId user, DeviceId device, NodeId node) {
        RecordingSink sink = new RecordingSink();
        await(router(cluster, node).attach(new Presence(new Endpoint(user, device), node, FriendsPolicy.OPEN), sink));
        return sink;
    }

    /** A message from {@code from}'s laptop to {@code to}'s phone. */
    static RoutedMessage message(NodeId origin, Kind kind, UserId from, UserId to, NodeId toNode, String text) {
        return new RoutedMessage(origin, kind, new Endpoint(from, LAPTOP), new Endpoint(to, PHONE), toNode,
                text.getBytes(StandardCharsets.UTF_8));
    }

    static <T> T await(CompletableFuture<T> future) {
        try {
            return future.get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new AssertionError("future did not complete normally", e);
        }
    }

    /** The failure of {@code future} (in time), unwrapped from completion wrappers; fails if it completes normally. */
    static Throwable failure(CompletableFuture<?> future) {
        ExecutionException failure = assertThrows(ExecutionException.class,
                () -> future.get(TIMEOUT_SECONDS, TimeUnit.SECONDS));
        Throwable cause = failure.getCause();
        while (cause instanceof CompletionException && cause.getCause() != null) {
            cause = cause.getCause();
        }
        return cause;
    }

    /** Polls {@code condition} every 20 ms until it holds or {@code limit} passed; returns whether it held. */
    static boolean eventually(Duration limit, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + limit.toNanos();
        while (true) {
            if (condition.getAsBoolean()) {
                return true;
            }
            if (System.nanoTime() > deadline) {
                return false;
            }
            Thread.sleep(20);
        }
    }

    /**
     * A cluster as {@link TestCluster#start} makes it, every node's settings changed by {@code adjust}; daemon ports
     * from {@code firstDaemonPort} on.
     */
    static TestCluster start(int size, UnaryOperator<KademliaNode.Settings> adjust, int firstDaemonPort)
            throws InterruptedException {
        TestCluster cluster = new TestCluster();
        try {
            NodeAddress seed = null;
            for (int i = 0; i < size; i++) {
                KademliaRouter router = cluster.add(adjust.apply(TestCluster.settings(seed == null ? List.of()
                        : List.of(seed))), firstDaemonPort + i);
                if (seed == null) {
                    seed = new NodeAddress(router.node().id(), "127.0.0.1", router.node().linkAddress().getPort());
                }
            }
            cluster.awaitFullTables();
            return cluster;
        } catch (RuntimeException | InterruptedException | Error e) {
            cluster.close();
            throw e;
        }
    }

    /** The address other nodes join through: the link address of the cluster's first node. */
    static NodeAddress seed(TestCluster cluster) {
        KademliaNode first = cluster.kademliaRouters().get(0).node();
        return new NodeAddress(first.id(), "127.0.0.1", first.linkAddress().getPort());
    }

    /** {@code base} with another replica count, republish interval and handler cache time to live. */
    static KademliaNode.Settings with(KademliaNode.Settings base, int replicas, Duration republish, long cacheTtlMillis) {
        return new KademliaNode.Settings(base.linkHost(), base.linkPort(), base.advertisedLinkHost(), base.bootstrap(),
                replicas, base.kad().withCacheTtlBoundsMillis(cacheTtlMillis, cacheTtlMillis), base.link(),
                base.callTimeout(), republish, base.maxPresencesPerNode());
    }
}
