package org.gcs.routing.kademlia;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.gcs.api.DeviceId;
import org.gcs.api.NodeId;
import org.gcs.api.UserId;
import org.gcs.api.routing.DeviceSink;
import org.gcs.api.routing.Endpoint;
import org.gcs.api.routing.FriendsPolicy;
import org.gcs.api.routing.NodeAddress;
import org.gcs.api.routing.Presence;
import org.gcs.api.routing.RoutedMessage;
import org.gcs.api.routing.RoutedMessage.Kind;
import org.gcs.contracts.RouterContract.RecordingSink;
import org.junit.jupiter.api.Test;

/**
 * Messages from one device to another are delivered in the order they were sent, although a connect request travels
 * through the callee's handler and later messages may not: the next is handed over only once the previous one was.
 */
class KademliaOrderTest {
    private static final Endpoint ALICE = new Endpoint(UserId.of("pk", "alice"), DeviceId.of("laptop"));
    private static final Endpoint BOB = new Endpoint(UserId.of("pk", "bob"), DeviceId.of("phone"));

    /** Takes 300 ms to accept each message, and records when each arrived and when it was accepted. */
    private static final class SlowSink implements DeviceSink {
        final List<String> events = new CopyOnWriteArrayList<>();
        final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();

        @Override
        public CompletableFuture<Void> deliver(RoutedMessage message) {
            events.add("arrived " + message.kind());
            CompletableFuture<Void> accepted = new CompletableFuture<>();
            timer.schedule(() -> {
                events.add("accepted " + message.kind());
                accepted.complete(null);
            }, 300, TimeUnit.MILLISECONDS);
            return accepted;
        }

        @Override
        public void replaced(NodeId where) {
        }

        @Override
        public void moveTo(List<NodeAddress> handlers) {
        }
    }

    @Test
    void aSignalSentRightAfterAConnectRequestReachesTheCalleeAfterIt() throws Exception {
        try (TestCluster cluster = TestCluster.start(3)) {
            List<KademliaRouter> routers = cluster.kademliaRouters();
            NodeId aliceNode = cluster.nodes().get(0).id();
            NodeId bobNode = cluster.nodes().get(1).id();
            routers.get(0).attach(new Presence(ALICE, aliceNode, FriendsPolicy.OPEN), new RecordingSink()).get(10, TimeUnit.SECONDS);
            SlowSink bob = new SlowSink();
            try {
                routers.get(1).attach(new Presence(BOB, bobNode, FriendsPolicy.OPEN), bob).get(10, TimeUnit.SECONDS);

                CompletableFuture<Void> request = routers.get(0).deliver(
                        new RoutedMessage(aliceNode, Kind.CONNECT_REQUEST, ALICE, BOB, null, new byte[] {1}));
                CompletableFuture<Void> signal = routers.get(0).deliver(
                        new RoutedMessage(aliceNode, Kind.SIGNAL, ALICE, BOB, null, new byte[] {2}));
                request.get(10, TimeUnit.SECONDS);
                signal.get(10, TimeUnit.SECONDS);

                assertEquals(List.of("arrived CONNECT_REQUEST", "accepted CONNECT_REQUEST", "arrived SIGNAL",
                        "accepted SIGNAL"), bob.events);
                assertTrue(signal.isDone());
            } finally {
                bob.timer.shutdownNow();
            }
        }
    }
}
