package org.gcs.contracts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.gcs.api.DeviceId;
import org.gcs.api.DeviceOfflineException;
import org.gcs.api.NodeId;
import org.gcs.api.ProtocolException;
import org.gcs.api.RefusedException;
import org.gcs.api.UnknownUserException;
import org.gcs.api.UserId;
import org.gcs.api.routing.DeviceSink;
import org.gcs.api.routing.Endpoint;
import org.gcs.api.routing.FriendsPolicy;
import org.gcs.api.routing.NodeAddress;
import org.gcs.api.routing.Presence;
import org.gcs.api.routing.RoutedMessage;
import org.gcs.api.routing.RoutedMessage.Kind;
import org.gcs.api.routing.Router;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What every {@link Router} must do, on a cluster of routers of the backend under test (one router per node, each
 * started with its node's address): agree on each user's handlers, keep per-device presence wherever a device is
 * attached, apply {@link org.gcs.api.routing.HandlerRules} at the user's handler, deliver every kind of message to the
 * sink of the addressed device on whichever node it is attached, refuse a message whose sender is not attached to its
 * origin node, and pass the sinks' failures through unchanged. Devices are attached, as the node core does it, only at
 * one of their user's handlers.
 *
 * <pre>{@code
 * class CentralRouterTest extends RouterContract {
 *     protected Cluster newCluster(int size) { ... }   // a central router serves one node only
 *     protected int clusterSize() { return 1; }
 * }
 * }</pre>
 */
public abstract class RouterContract {
    private static final long TIMEOUT_SECONDS = 20;

    protected static final UserId ALICE = UserId.of("pk", "alice");
    protected static final UserId BOB = UserId.of("pk", "bob");
    protected static final UserId CAROL = UserId.of("pk", "carol");
    protected static final DeviceId LAPTOP = DeviceId.of("laptop");
    protected static final DeviceId PHONE = DeviceId.of("phone");

    /** Started routers of one backend, one per node, that know each other. */
    public interface Cluster extends AutoCloseable {
        /** The routers, each started with the address at the same index of {@link #nodes()}. */
        List<Router> routers();

        /** The nodes' daemon-facing addresses. */
        List<NodeAddress> nodes();

        /** Stops every router and frees what the cluster holds. */
        @Override
        void close();
    }

    private Cluster cluster;

    /**
     * A cluster of {@code size} started routers that have found each other (for a distributed backend: joined, tables
     * filled) with no device attached.
     */
    protected abstract Cluster newCluster(int size) throws Exception;

    /** How many nodes the cases run on: 1 for a single-node backend, 3 or more for a distributed one. */
    protected int clusterSize() {
        return 3;
    }

    @BeforeEach
    void createCluster() throws Exception {
        cluster = newCluster(clusterSize());
        assertEquals(clusterSize(), cluster.routers().size(), "cluster size");
    }

    @AfterEach
    void closeCluster() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void everyNodeNamesTheSameHandlersForAUserAndTheyAreNodesOfTheCluster() {
        for (UserId user : List.of(ALICE, BOB, CAROL, UserId.of("pk", "dave"), UserId.of("bns", "erin.id"))) {
            List<NodeAddress> first = await(router(0).handlers(user));
            assertFalse(first.isEmpty(), "handlers of " + user);
            assertTrue(cluster.nodes().containsAll(first), "handlers of " + user + " are cluster nodes: " + first);
            for (Router router : cluster.routers()) {
                assertEquals(first, await(router.handlers(user)), "every node names the same handlers of " + user);
            }
        }
    }

    @Test
    void devicesOfAUserNobodyAttachedFailWithUnknownUserOnEveryNode() {
        attach(ALICE, LAPTOP, 0, FriendsPolicy.OPEN);
        for (Router router : cluster.routers()) {
            assertFailsWith(UnknownUserException.class, router.devices(endpoint(ALICE, LAPTOP), BOB));
        }
    }

    @Test
    void aDeviceAttachedAtItsHandlerIsVisibleFromEveryNode() {
        attach(BOB, PHONE, 0, FriendsPolicy.OPEN);
        for (Router router : cluster.routers()) {
            assertEquals(List.of(PHONE), await(router.devices(endpoint(ALICE, LAPTOP), BOB)));
        }
    }

    @Test
    void presenceIsPerDeviceSoOneUserIsOnlineAtTwoHandlersAtOnce() {
        RecordingSink laptop = attach(BOB, LAPTOP, 0, FriendsPolicy.OPEN);
        attach(BOB, PHONE, 1, FriendsPolicy.OPEN);
        for (Router router : cluster.routers()) {
            assertEquals(List.of(LAPTOP, PHONE), await(router.devices(endpoint(ALICE, LAPTOP), BOB)));
        }

        await(handlerRouter(BOB, 0).detach(endpoint(BOB, LAPTOP), laptop));

        for (Router router : cluster.routers()) {
            assertEquals(List.of(PHONE), await(router.devices(endpoint(ALICE, LAPTOP), BOB)));
        }
    }

    @Test
    void anUploadedPolicyShowsDevicesOnlyToFriendsAndToTheUserHerself() {
        attach(BOB, PHONE, 0, FriendsPolicy.of(true, List.of(CAROL.toString())));
        Router elsewhere = router(cluster.routers().size() - 1);

        // a stranger is told what he would be told if Bob were not online
        assertFailsWith(UnknownUserException.class, elsewhere.devices(endpoint(ALICE, LAPTOP), BOB));
        assertEquals(List.of(PHONE), await(elsewhere.devices(endpoint(CAROL, LAPTOP), BOB)));
        assertEquals(List.of(PHONE), await(elsewhere.devices(endpoint(BOB, LAPTOP), BOB)));
    }

    @Test
    void attachingAgainWithTheSameSinkUpdatesThePolicy() {
        RecordingSink phone = attach(BOB, PHONE, 0, FriendsPolicy.OPEN);
        assertEquals(List.of(PHONE), await(router(0).devices(endpoint(ALICE, LAPTOP), BOB)));

        Router handler = handlerRouter(BOB, 0);
        await(handler.attach(presence(BOB, PHONE, handler(BOB, 0), FriendsPolicy.of(true, List.of())), phone));

        for (Router router : cluster.routers()) {
            assertFailsWith(UnknownUserException.class, router.devices(endpoint(ALICE, LAPTOP), BOB));
        }
        assertTrue(phone.replacedBy.isEmpty(), "an update is not a replacement");
    }

    @Test
    void aConnectRequestReachesTheCalleesSinkUnchangedFromAnyNode() {
        attach(ALICE, LAPTOP, 0, FriendsPolicy.OPEN);
        RecordingSink phone = attach(BOB, PHONE, 1, FriendsPolicy.of(true, List.of(ALICE.toString())));
        RoutedMessage request = fromAlice(Kind.CONNECT_REQUEST, endpoint(BOB, PHONE), "connect");

        await(handlerRouter(ALICE, 0).deliver(request));

        assertEquals(List.of(request), phone.delivered);
    }

    @Test
    void aNonFriendsConnectRequestIsRefusedBeforeTheCalleesSinkHearsOfIt() {
        attach(ALICE, LAPTOP, 0, FriendsPolicy.OPEN);
        RecordingSink phone = attach(BOB, PHONE, 1, FriendsPolicy.of(true, List.of(CAROL.toString())));

        assertFailsWith(UnknownUserException.class,
                handlerRouter(ALICE, 0).deliver(fromAlice(Kind.CONNECT_REQUEST, endpoint(BOB, PHONE), "stranger")));
        assertTrue(phone.delivered.isEmpty(), "the callee's sink never heard of the stranger");
    }

    @Test
    void aStrangerCannotProbeDeviceNamesAnOfflineDeviceLooksLikeAnyOther() {
        attach(ALICE, LAPTOP, 0, FriendsPolicy.OPEN);
        attach(BOB, PHONE, 1, FriendsPolicy.of(true, List.of(CAROL.toString())));
        Router alices = handlerRouter(ALICE, 0);

        assertFailsWith(UnknownUserException.class, alices.deliver(fromAlice(Kind.CONNECT_REQUEST, endpoint(BOB, LAPTOP), "x")));
    }

    @Test
    void aFriendsRequestToAnOfflineDeviceFailsWithDeviceOffline() {
        attach(ALICE, LAPTOP, 0, FriendsPolicy.OPEN);
        attach(BOB, PHONE, 1, FriendsPolicy.of(true, List.of(ALICE.toString())));

        assertFailsWith(DeviceOfflineException.class,
                handlerRouter(ALICE, 0).deliver(fromAlice(Kind.CONNECT_REQUEST, endpoint(BOB, LAPTOP), "offline")));
    }

    @Test
    void aRequestToAUserNobodyAttachedFailsWithUnknownUser() {
        attach(ALICE, LAPTOP, 0, FriendsPolicy.OPEN);

        assertFailsWith(UnknownUserException.class,
                handlerRouter(ALICE, 0).deliver(fromAlice(Kind.CONNECT_REQUEST, endpoint(BOB, PHONE), "nobody")));
        assertFailsWith(UnknownUserException.class,
                handlerRouter(ALICE, 0).deliver(fromAlice(Kind.SIGNAL, endpoint(BOB, PHONE), "nobody")));
    }

    @Test
    void signalsAndResultsReachTheDeviceAtWhicheverNodeItIsAttached() {
        attach(ALICE, LAPTOP, 0, FriendsPolicy.OPEN);
        RecordingSink laptop = attach(BOB, LAPTOP, 0, FriendsPolicy.of(true, List.of()));
        RecordingSink phone = attach(BOB, PHONE, 1, FriendsPolicy.of(true, List.of()));
        RoutedMessage signal = fromAlice(Kind.SIGNAL, endpoint(BOB, PHONE), "candidate");
        RoutedMessage result = fromAlice(Kind.CONNECT_RESULT, endpoint(BOB, LAPTOP), "answer");

        await(handlerRouter(ALICE, 0).deliver(signal));
        await(handlerRouter(ALICE, 0).deliver(result));

        assertEquals(List.of(signal), phone.delivered, "the node core, not the router, checks signals on a connection");
        assertEquals(List.of(result), laptop.delivered);
    }

    @Test
    void aMessageWithAHintOfTheRecipientsNodeIsDeliveredThere() {
        attach(ALICE, LAPTOP, 0, FriendsPolicy.OPEN);
        RecordingSink phone = attach(BOB, PHONE, 1, FriendsPolicy.OPEN);
        RoutedMessage signal = new RoutedMessage(handler(ALICE, 0).id(), Kind.SIGNAL, endpoint(ALICE, LAPTOP),
                endpoint(BOB, PHONE), handler(BOB, 1).id(), bytes("affine"));

        await(handlerRouter(ALICE, 0).deliver(signal));

        assertEquals(List.of(signal), phone.delivered);
    }

    @Test
    void aMessageWhoseSenderIsNotAttachedToItsOriginIsRefused() {
        RecordingSink phone = attach(BOB, PHONE, 0, FriendsPolicy.OPEN);
        Router router = router(0);
        NodeId origin = cluster.nodes().get(0).id();

        RoutedMessage forged = new RoutedMessage(origin, Kind.CONNECT_REQUEST, endpoint(ALICE, LAPTOP), endpoint(BOB, PHONE),
                null, bytes("forged"));

        assertFailsWith(ProtocolException.class, router.deliver(forged));
        assertTrue(phone.delivered.isEmpty(), "a message for a sender nobody vouches for reaches nobody");
    }

    @Test
    void attachingTheSameDeviceAgainReplacesTheEarlierAttachment() {
        attach(ALICE, LAPTOP, 0, FriendsPolicy.OPEN);
        RecordingSink first = attach(BOB, PHONE, 0, FriendsPolicy.OPEN);
        RecordingSink second = attach(BOB, PHONE, 1, FriendsPolicy.OPEN);

        assertEquals(List.of(handler(BOB, 1).id()), first.replacedBy, "the first attachment heard where the device went");
        await(handlerRouter(ALICE, 0).deliver(fromAlice(Kind.SIGNAL, endpoint(BOB, PHONE), "after")));
        assertTrue(first.delivered.isEmpty());
        assertEquals(1, second.delivered.size());
        for (Router router : cluster.routers()) {
            assertEquals(List.of(PHONE), await(router.devices(endpoint(ALICE, LAPTOP), BOB)));
        }
    }

    @Test
    void detachingAReplacedSinkKeepsTheNewOne() {
        attach(ALICE, LAPTOP, 0, FriendsPolicy.OPEN);
        RecordingSink stale = attach(BOB, PHONE, 0, FriendsPolicy.OPEN);
        RecordingSink current = attach(BOB, PHONE, 1, FriendsPolicy.OPEN);

        await(handlerRouter(BOB, 0).detach(endpoint(BOB, PHONE), stale));

        assertEquals(List.of(PHONE), await(router(0).devices(endpoint(ALICE, LAPTOP), BOB)));
        await(handlerRouter(ALICE, 0).deliver(fromAlice(Kind.SIGNAL, endpoint(BOB, PHONE), "still here")));
        assertEquals(1, current.delivered.size());
    }

    @Test
    void detachOfADeviceNeverAttachedIsHarmless() {
        await(router(0).detach(endpoint(BOB, PHONE), new RecordingSink()));
        assertFailsWith(UnknownUserException.class, router(0).devices(endpoint(ALICE, LAPTOP), BOB));
    }

    @Test
    void failuresOfTheSinkReachTheSenderUnchanged() {
        attach(ALICE, LAPTOP, 0, FriendsPolicy.OPEN);
        attach(BOB, PHONE, 1, FriendsPolicy.OPEN, new FailingSink(new DeviceOfflineException("phone went away"), false));
        attach(BOB, LAPTOP, 1, FriendsPolicy.OPEN, new FailingSink(new RefusedException("the device says no"), true));
        Router alices = handlerRouter(ALICE, 0);

        assertFailsWith(DeviceOfflineException.class, alices.deliver(fromAlice(Kind.SIGNAL, endpoint(BOB, PHONE), "a")));
        assertFailsWith(RefusedException.class,
                alices.deliver(fromAlice(Kind.CONNECT_REQUEST, endpoint(BOB, LAPTOP), "thrown, not returned")));
    }

    @Test
    void manyDevicesOfManyUsersOnEveryNodeAreEachReachedOnce() {
        int users = 12;
        List<RecordingSink> sinks = new CopyOnWriteArrayList<>();
        attach(ALICE, LAPTOP, 0, FriendsPolicy.OPEN);
        for (int i = 0; i < users; i++) {
            sinks.add(attach(UserId.of("pk", "user" + i), PHONE, i, FriendsPolicy.OPEN));
        }
        for (int i = 0; i < users; i++) {
            UserId user = UserId.of("pk", "user" + i);
            await(handlerRouter(ALICE, 0).deliver(fromAlice(Kind.SIGNAL, endpoint(user, PHONE), "to " + i)));
        }
        for (int i = 0; i < users; i++) {
            assertEquals(1, sinks.get(i).delivered.size(), "user" + i + " got exactly her message");
            assertEquals("to " + i, new String(sinks.get(i).delivered.get(0).payload(), StandardCharsets.UTF_8));
        }
    }

    // ----- helpers

    /** The {@code index}-th router of the cluster (modulo its size). */
    protected Router router(int index) {
        return cluster.routers().get(index % cluster.routers().size());
    }

    /** The {@code index}-th handler of {@code user} (modulo how many she has), as every node names them. */
    protected NodeAddress handler(UserId user, int index) {
        List<NodeAddress> handlers = await(router(0).handlers(user));
        return handlers.get(index % handlers.size());
    }

    /** The router of the {@code index}-th handler of {@code user}. */
    protected Router handlerRouter(UserId user, int index) {
        return cluster.routers().get(cluster.nodes().indexOf(handler(user, index)));
    }

    /** Attaches a recording sink for {@code user}'s {@code device} at her {@code handlerIndex}-th handler. */
    protected RecordingSink attach(UserId user, DeviceId device, int handlerIndex, FriendsPolicy policy) {
        RecordingSink sink = new RecordingSink();
        attach(user, device, handlerIndex, policy, sink);
        return sink;
    }

    private void attach(UserId user, DeviceId device, int handlerIndex, FriendsPolicy policy, DeviceSink sink) {
        NodeAddress node = handler(user, handlerIndex);
        await(handlerRouter(user, handlerIndex).attach(presence(user, device, node, policy), sink));
    }

    private RoutedMessage fromAlice(Kind kind, Endpoint to, String text) {
        return new RoutedMessage(handler(ALICE, 0).id(), kind, endpoint(ALICE, LAPTOP), to, null, bytes(text));
    }

    protected static Presence presence(UserId user, DeviceId device, NodeAddress node, FriendsPolicy policy) {
        return new Presence(endpoint(user, device), node.id(), policy);
    }

    protected static Endpoint endpoint(UserId user, DeviceId device) {
        return new Endpoint(user, device);
    }

    protected static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    protected static <T> T await(CompletableFuture<T> future) {
        try {
            return future.get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new AssertionError("future did not complete normally", e);
        }
    }

    /** Asserts that {@code future} fails (in time) with a cause of {@code type}, looking through completion wrappers. */
    protected static <E extends Throwable> E assertFailsWith(Class<E> type, CompletableFuture<?> future) {
        ExecutionException failure = assertThrows(ExecutionException.class,
                () -> future.get(TIMEOUT_SECONDS, TimeUnit.SECONDS));
        Throwable cause = failure.getCause();
        while (cause instanceof CompletionException && cause.getCause() != null) {
            cause = cause.getCause();
        }
        return assertInstanceOf(type, cause);
    }

    /** A sink that records what it was handed and whether it was replaced. */
    public static final class RecordingSink implements DeviceSink {
        public final List<RoutedMessage> delivered = new CopyOnWriteArrayList<>();
        public final List<NodeId> replacedBy = new CopyOnWriteArrayList<>();
        public final List<List<NodeAddress>> movedTo = new CopyOnWriteArrayList<>();

        @Override
        public CompletableFuture<Void> deliver(RoutedMessage message) {
            delivered.add(message);
            return CompletableFuture.completedFuture(null);
        }

        @Override
        public void replaced(NodeId where) {
            replacedBy.add(where);
        }

        @Override
        public void moveTo(List<NodeAddress> handlers) {
            movedTo.add(List.copyOf(handlers));
        }
    }

    /** A sink whose every delivery fails with one exception, returned or thrown. */
    private static final class FailingSink implements DeviceSink {
        private final RuntimeException failure;
        private final boolean thrown;

        FailingSink(RuntimeException failure, boolean thrown) {
            this.failure = failure;
            this.thrown = thrown;
        }

        @Override
        public CompletableFuture<Void> deliver(RoutedMessage message) {
            if (thrown) {
                throw failure;
            }
            return CompletableFuture.failedFuture(failure);
        }

        @Override
        public void replaced(NodeId where) {
        }

        @Override
        public void moveTo(List<NodeAddress> handlers) {
        }
    }
}
