package org.gcs.routing.kademlia.route;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.google.protobuf.ByteString;
import java.net.InetSocketAddress;
import java.util.Arrays;
import java.util.List;
import org.gcs.api.DeviceId;
import org.gcs.api.DeviceOfflineException;
import org.gcs.api.NodeId;
import org.gcs.api.ProtocolException;
import org.gcs.api.RefusedException;
import org.gcs.api.TransportException;
import org.gcs.api.UnknownUserException;
import org.gcs.api.UserId;
import org.gcs.api.routing.Endpoint;
import org.gcs.api.routing.FriendsPolicy;
import org.gcs.api.routing.RoutedMessage;
import org.gcs.routing.kademlia.route.wire.RouteWire;
import org.junit.jupiter.api.Test;

/** route.proto encoding without sockets: round trips, refusals as answer codes, and malformed input refused. */
class RouteCodecTest {
    private static final NodeId NODE = nodeId(7);
    private static final Endpoint ALICE = new Endpoint(UserId.of("pk", "alice"), DeviceId.of("laptop"));
    private static final Endpoint BOB = new Endpoint(UserId.of("pk", "bob"), DeviceId.of("phone"));

    private static NodeId nodeId(int b) {
        byte[] id = new byte[32];
        Arrays.fill(id, (byte) b);
        return NodeId.of(id);
    }

    @Test
    void aRoutedMessageSurvivesTheWireWithAndWithoutAHint() throws Exception {
        for (NodeId hint : Arrays.asList(null, nodeId(9))) {
            RoutedMessage message = new RoutedMessage(NODE, RoutedMessage.Kind.SIGNAL, ALICE, BOB, hint, new byte[] {1, 2, 3});
            byte[] wire = RouteCodec.routed(message).toByteArray();
            assertEquals(message, RouteCodec.message(RouteWire.Routed.parseFrom(wire)));
        }
    }

    @Test
    void aPresenceKeepsItsPolicy() {
        FriendsPolicy policy = FriendsPolicy.of(true, List.of(ALICE.user().toString()));
        RouteWire.Presence wire = RouteCodec.presence(BOB, policy);
        assertEquals(BOB, RouteCodec.endpoint(wire.getDevice()));
        assertEquals(policy, RouteCodec.policy(wire));
    }

    @Test
    void everyRefusalComesBackAsItsOwnException() {
        assertThrows(UnknownUserException.class, () -> RouteCodec.parseAnswer(RouteCodec.refusal(new UnknownUserException("u"))));
        assertThrows(DeviceOfflineException.class,
                () -> RouteCodec.parseAnswer(RouteCodec.refusal(new DeviceOfflineException("d"))));
        assertThrows(RefusedException.class, () -> RouteCodec.parseAnswer(RouteCodec.refusal(new RefusedException("r"))));
        assertThrows(ProtocolException.class, () -> RouteCodec.parseAnswer(RouteCodec.refusal(new ProtocolException("p"))));
        assertThrows(TransportException.class, () -> RouteCodec.parseAnswer(RouteCodec.refusal(new TransportException("t"))));
        assertEquals(List.of(DeviceId.of("phone")),
                RouteCodec.devices(RouteCodec.parseAnswer(RouteCodec.okDevices(List.of(DeviceId.of("phone"))))));
    }

    @Test
    void anInternalFailureIsNotDressedUpAsARefusal() {
        assertThrows(IllegalStateException.class, () -> RouteCodec.refusal(new IllegalStateException("bug")));
    }

    @Test
    void malformedInputIsAProtocolError() {
        assertThrows(ProtocolException.class, () -> RouteCodec.parse(new byte[] {(byte) 0xff, 0x01}, RouteWire.Routed.parser()));
        assertThrows(ProtocolException.class, () -> RouteCodec.message(RouteWire.Routed.getDefaultInstance()));
        assertThrows(ProtocolException.class, () -> RouteCodec.node(ByteString.copyFrom(new byte[5])));
        assertThrows(ProtocolException.class, () -> RouteCodec.endpoint(RouteWire.Device.newBuilder().setUser("nonsense").build()));
        assertThrows(ProtocolException.class, () -> RouteCodec.parseAnswer(RouteWire.Answer.getDefaultInstance().toByteArray()));
        assertThrows(ProtocolException.class, () -> RouteCodec.contact(RouteWire.Contact.newBuilder()
                .setNodeId(ByteString.copyFrom(new byte[32])).setHost("evil.example").setPort(7444).build()));
        assertThrows(ProtocolException.class, () -> RouteCodec.contact(RouteWire.Contact.newBuilder()
                .setNodeId(ByteString.copyFrom(new byte[32])).setHost("127.0.0.1").setPort(0).build()));
    }

    @Test
    void contactHostThatIsNoIpLiteralFromFuzzing() {
        // Found by RouteCodecFuzzTest: "20018db8::7" passed the old character check and became an unresolved address,
        // a network of its own for the routing table's per-network limits; a hex word such as "cafe" passed it too and
        // was looked up in DNS on a peer's word. Only literals are accepted now, and without any lookup.
        for (String host : List.of("20018db8::7", "1.2", "::ffff:1.2.3.4.5", "cafe")) {
            assertThrows(ProtocolException.class, () -> RouteCodec.contact(contact(host)), host);
        }
        assertEquals(new InetSocketAddress("127.0.0.1", 7444), RouteCodec.contact(contact("127.0.0.1")).address());
        assertEquals(new InetSocketAddress("2001:db8::7", 7444), RouteCodec.contact(contact("2001:db8::7")).address());
        assertEquals(new InetSocketAddress("2001:db8::7", 7444),
                RouteCodec.contact(contact("2001:db8:0:0:0:0:0:7")).address(), "the form getHostString gives");
    }

    private static RouteWire.Contact contact(String host) {
        return RouteWire.Contact.newBuilder().setNodeId(ByteString.copyFrom(new byte[32])).setHost(host).setPort(7444).build();
    }
}
