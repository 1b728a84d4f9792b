package org.gcs.node.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.netty.channel.embedded.EmbeddedChannel;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.gcs.api.DeviceId;
import org.gcs.api.DeviceOfflineException;
import org.gcs.api.NodeId;
import org.gcs.api.ProtocolException;
import org.gcs.api.RefusedException;
import org.gcs.api.UserId;
import org.gcs.api.routing.Endpoint;
import org.gcs.api.routing.FriendsPolicy;
import org.gcs.api.routing.RoutedMessage;
import org.gcs.api.routing.RoutedMessage.Kind;
import org.gcs.api.wire.NodeWire.ConnectRequest;
import org.gcs.api.wire.NodeWire.NodeFrame;
import org.gcs.api.wire.NodeWire.Signal;
import org.gcs.node.ice.IceServerDirectory;
import org.gcs.node.stats.NodeStats;
import org.gcs.routing.central.CentralRouter;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A device's sink at its node, fed messages as a router hands them over from other nodes: only what belongs to one of
 * the device's connections, from the node that vouched for the other end, reaches the device.
 */
class DeviceSessionTest {
    private static final NodeId HERE = NodeId.fromHex("01".repeat(32));
    private static final NodeId ALICES_NODE = NodeId.fromHex("0a".repeat(32));
    private static final NodeId OTHER_NODE = NodeId.fromHex("0e".repeat(32));
    private static final Endpoint ALICE = new Endpoint(UserId.of("pk", "alice"), DeviceId.of("laptop"));
    private static final Endpoint BOB = new Endpoint(UserId.of("pk", "bob"), DeviceId.of("phone"));
    private static final Endpoint MALLORY = new Endpoint(UserId.of("pk", "mallory"), DeviceId.of("x"));
    private static final ByteString ID = ByteString.copyFromUtf8("0123456789abcdef");

    private EmbeddedChannel channel;
    private DeviceSession bob;

    private SessionContext context;

    @BeforeEach
    void bobIsLoggedInHere() {
        CentralRouter router = new CentralRouter();
        ConnectionTable connections = new ConnectionTable();
        NodeStats stats = new NodeStats();
        context = new SessionContext(HERE, new AuthProviders(), router,
                new LocalDevices(router, connections, stats), connections, stats, IceServerDirectory.of(List.of()),
                Duration.ofSeconds(10), 65536);
        channel = new EmbeddedChannel();
        bob = new DeviceSession(BOB, channel, FriendsPolicy.of(true, List.of(ALICE.user().toString())), context);
        bob.welcomed();
    }

    @Test
    void aRequestRoutedWhileTheDeviceIsStillLoggingInWaitsForItsWelcome() throws Exception {
        DeviceSession carol = new DeviceSession(BOB, channel, FriendsPolicy.OPEN, context);
        CompletableFuture<Void> delivered = carol.deliver(request(ALICE, ALICES_NODE));

        assertNull(channel.readOutbound(), "nothing reaches a device before its Welcome");
        assertFalse(delivered.isDone());
        carol.welcomed();
        delivered.get(5, TimeUnit.SECONDS);
        assertTrue(((NodeFrame) channel.readOutbound()).hasConnectRequest());
    }

    @Test
    void aRequestWaitingForAWelcomeThatNeverComesFailsAsOffline() {
        DeviceSession carol = new DeviceSession(BOB, channel, FriendsPolicy.OPEN, context);
        CompletableFuture<Void> delivered = carol.deliver(request(ALICE, ALICES_NODE));

        carol.ended();

        ExecutionException failure = assertThrows(ExecutionException.class, () -> delivered.get(5, TimeUnit.SECONDS));
        assertInstanceOf(DeviceOfflineException.class, failure.getCause());
        assertNull(channel.readOutbound());
    }

    @Test
    void aRequestFromAFriendReachesTheDeviceAndLaterSignalsFromHerNodeToo() throws Exception {
        deliver(request(ALICE, ALICES_NODE)).get();
        deliver(signal(ALICE, ALICES_NODE)).get();

        assertTrue(((NodeFrame) channel.readOutbound()).hasConnectRequest());
        assertTrue(((NodeFrame) channel.readOutbound()).hasSignal());
    }

    @Test
    void aSignalFromANodeOtherThanTheOneThatVouchedForTheCallerIsDropped() {
        deliver(request(ALICE, ALICES_NODE)).join();
        channel.readOutbound();

        assertFails(ProtocolException.class, deliver(signal(ALICE, OTHER_NODE)));
        assertNull(channel.readOutbound(), "the device heard nothing of the forged signal");
    }

    @Test
    void aSignalOnNoRecordedConnectionIsDropped() {
        assertFails(ProtocolException.class, deliver(signal(ALICE, ALICES_NODE)));
        assertNull(channel.readOutbound());
    }

    @Test
    void aStrangerIsRefusedByTheDevicesOwnPolicyEvenIfARouterLetHerThrough() {
        assertFails(RefusedException.class, deliver(request(MALLORY, OTHER_NODE)));
        assertNull(channel.readOutbound());
    }

    @Test
    void aRequestNamingAnotherCallerThanItsSenderIsDropped() {
        NodeFrame lying = NodeFrame.newBuilder().setConnectRequest(ConnectRequest.newBuilder().setConnectionId(ID)
                .setCallerUser(ALICE.user().toString()).setCallerDevice("laptop")).build();
        assertFails(ProtocolException.class, bob.deliver(new RoutedMessage(OTHER_NODE, Kind.CONNECT_REQUEST, MALLORY, BOB,
                null, lying.toByteArray())));
        assertNull(channel.readOutbound());
    }

    @Test
    void aMessageOfOneKindCarryingAnotherFrameIsDropped() {
        assertFails(ProtocolException.class, bob.deliver(new RoutedMessage(ALICES_NODE, Kind.CONNECT_REQUEST, ALICE, BOB,
                null, signal(ALICE, ALICES_NODE).payload())));
        assertFails(ProtocolException.class, bob.deliver(new RoutedMessage(ALICES_NODE, Kind.SIGNAL, ALICE, BOB,
                null, new byte[] {(byte) 0xff, 1})));
        assertNull(channel.readOutbound());
    }

    private CompletableFuture<Void> deliver(RoutedMessage message) {
        return bob.deliver(message);
    }

    private static RoutedMessage request(Endpoint caller, NodeId origin) {
        NodeFrame frame = NodeFrame.newBuilder().setConnectRequest(ConnectRequest.newBuilder().setConnectionId(ID)
                .setCallerUser(caller.user().toString()).setCallerDevice(caller.device().name())).build();
        return new RoutedMessage(origin, Kind.CONNECT_REQUEST, caller, BOB, null, frame.toByteArray());
    }

    private static RoutedMessage signal(Endpoint from, NodeId origin) {
        NodeFrame frame = NodeFrame.newBuilder().setSignal(Signal.newBuilder().setConnectionId(ID)
                .setPayload(ByteString.copyFromUtf8("candidate")).setSequence(1)).build();
        return new RoutedMessage(origin, Kind.SIGNAL, from, BOB, HERE, frame.toByteArray());
    }

    private static void assertFails(Class<? extends Throwable> type, CompletableFuture<Void> future) {
        ExecutionException failure = assertThrows(ExecutionException.class, future::get);
        assertInstanceOf(type, failure.getCause(), () -> "failed with " + failure.getCause());
    }

    @Test
    void aReplacedSessionIsClosedWithReplaced() {
        bob.replaced(OTHER_NODE);
        channel.runPendingTasks();
        NodeFrame error = channel.readOutbound();
        assertEquals(org.gcs.api.wire.NodeWire.ErrorCode.REPLACED, error.getError().getCode());
    }
}
