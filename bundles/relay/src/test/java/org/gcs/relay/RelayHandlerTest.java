package org.gcs.relay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.LengthFieldBasedFrameDecoder;
import java.util.List;
import org.gcs.api.wire.NodeWire;
import org.gcs.api.wire.RelayWire.Forward;
import org.gcs.api.wire.RelayWire.ForwardKind;
import org.gcs.api.wire.RelayWire.Register;
import org.gcs.api.wire.RelayWire.RelayErrorCode;
import org.gcs.api.wire.RelayWire.RelayFrame;
import org.gcs.api.wire.WireVersions;
import org.gcs.internal.netty.ProtobufFrameDecoder;
import org.junit.jupiter.api.Test;

/** The relay protocol without sockets: registration, forwarding, and every refusal, each leaving the relay serving. */
class RelayHandlerTest {
    private final Registrations registrations = new Registrations(3);
    private final RelayStats stats = new RelayStats();

    private EmbeddedChannel client() {
        return new EmbeddedChannel(new LengthFieldBasedFrameDecoder(1024, 0, 4, 0, 4), new ProtobufFrameDecoder<>(RelayFrame.parser()),
                new RelayHandler(registrations, stats, List.of(NodeWire.IceServer.newBuilder().setHost("127.0.0.1")
                        .setPort(3479).setKind("stun").build())));
    }

    private static ByteBuf framed(byte[] body) {
        ByteBuf b = Unpooled.buffer();
        b.writeInt(body.length);
        b.writeBytes(body);
        return b;
    }

    private static void send(EmbeddedChannel c, RelayFrame frame) {
        c.writeInbound(framed(frame.toByteArray()));
    }

    private static RelayFrame next(EmbeddedChannel c) {
        return c.readOutbound();
    }

    private static RelayFrame register(String id) {
        return RelayFrame.newBuilder().setRegister(Register.newBuilder().setProtocolVersion(WireVersions.RELAY_PROTOCOL)
                .setId(id)).build();
    }

    private static RelayFrame forward(String peer, ForwardKind kind, String payload) {
        return RelayFrame.newBuilder().setForward(Forward.newBuilder().setPeer(peer).setKind(kind)
                .setConnectionId(ByteString.copyFromUtf8("0123456789abcdef")).setPayload(ByteString.copyFromUtf8(payload)))
                .build();
    }

    @Test
    void aForwardReachesTheNamedIdFromTheSendersId() {
        EmbeddedChannel alice = client();
        EmbeddedChannel bob = client();
        send(alice, register("alice"));
        send(bob, register("bob"));
        RelayFrame registered = next(alice);
        assertTrue(registered.hasRegistered());
        assertEquals(3479, registered.getRegistered().getIceServers(0).getPort(), "the relay's STUN responder");
        next(bob);
        send(alice, forward("bob", ForwardKind.OFFER, "offer bytes"));
        Forward got = next(bob).getForward();
        assertEquals("alice", got.getPeer(), "delivered from the sender's registered id");
        assertEquals("offer bytes", got.getPayload().toStringUtf8());
        assertEquals(ForwardKind.OFFER, got.getKind());
        assertEquals(1L, stats.snapshot(registrations.size()).get("forwards"));
    }

    @Test
    void aForwardToNobodyIsAnErrorAndTheConnectionStays() {
        EmbeddedChannel alice = client();
        send(alice, register("alice"));
        next(alice);
        send(alice, forward("carol", ForwardKind.OFFER, "x"));
        RelayFrame error = next(alice);
        assertEquals(RelayErrorCode.RELAY_UNKNOWN_PEER, error.getError().getCode());
        assertEquals("0123456789abcdef", error.getError().getConnectionId().toStringUtf8(), "names the failed forward");
        assertTrue(alice.isActive());
        send(alice, RelayFrame.newBuilder().setPing(NodeWire.Ping.newBuilder().setNonce(9)).build());
        assertEquals(9, next(alice).getPong().getNonce(), "still served");
    }

    @Test
    void anythingButRegisterFirstAndGarbageAndBadIdsAreRefusedAndClosed() {
        EmbeddedChannel early = client();
        send(early, forward("bob", ForwardKind.OFFER, "x"));
        assertEquals(RelayErrorCode.RELAY_MALFORMED, next(early).getError().getCode());
        assertFalse(early.isActive());

        EmbeddedChannel garbage = client();
        garbage.writeInbound(framed(new byte[] {(byte) 0xff, (byte) 0xff, (byte) 0xff}));
        assertEquals(RelayErrorCode.RELAY_MALFORMED, next(garbage).getError().getCode());
        assertFalse(garbage.isActive());

        EmbeddedChannel blank = client();
        send(blank, register("has blank"));
        assertEquals(RelayErrorCode.RELAY_MALFORMED, next(blank).getError().getCode());

        EmbeddedChannel old = client();
        send(old, RelayFrame.newBuilder().setRegister(Register.newBuilder().setProtocolVersion(99).setId("x")).build());
        assertEquals(RelayErrorCode.RELAY_UNSUPPORTED_VERSION, next(old).getError().getCode());

        EmbeddedChannel oversize = client();
        oversize.writeInbound(framed(new byte[2000]));
        assertEquals(RelayErrorCode.RELAY_OVERSIZE, next(oversize).getError().getCode());
        assertFalse(oversize.isActive());

        EmbeddedChannel fine = client();
        send(fine, register("fine"));
        assertTrue(next(fine).hasRegistered(), "the relay still registers after all that");
        assertEquals(5L, stats.snapshot(registrations.size()).get("connections.refused"));
    }

    @Test
    void theSameIdAgainReplacesTheEarlierConnectionAndAFullRelayRefuses() {
        EmbeddedChannel first = client();
        send(first, register("alice"));
        next(first);
        EmbeddedChannel second = client();
        send(second, register("alice"));
        assertTrue(next(second).hasRegistered());
        assertEquals(RelayErrorCode.RELAY_REPLACED, next(first).getError().getCode());
        assertFalse(first.isActive());
        EmbeddedChannel b = client();
        send(b, register("b"));
        next(b);
        EmbeddedChannel c = client();
        send(c, register("c"));
        next(c);
        EmbeddedChannel d = client();
        send(d, register("d"));
        assertEquals(RelayErrorCode.RELAY_FULL, next(d).getError().getCode(), "3 registrations at most");
        c.close();
        EmbeddedChannel e = client();
        send(e, register("e"));
        assertTrue(next(e).hasRegistered(), "a closed connection frees its id");
        assertNull(registrations.lookup("c"));
    }
}
