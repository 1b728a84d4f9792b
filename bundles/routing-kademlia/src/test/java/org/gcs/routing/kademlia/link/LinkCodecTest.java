package org.gcs.routing.kademlia.link;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.TooLongFrameException;
import java.util.List;
import org.gcs.api.NodeId;
import org.gcs.api.ProtocolException;
import org.gcs.routing.kademlia.link.wire.LinkWire.LinkFrame;
import org.gcs.routing.kademlia.link.wire.LinkWire.Status;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The link's framing and protobuf codec on an {@link EmbeddedChannel}, without sockets or TLS. */
class LinkCodecTest {
    private static final int LIMIT = 4096;
    private final EmbeddedChannel channel = new EmbeddedChannel();

    LinkCodecTest() {
        LinkCodec.install(channel.pipeline(), LIMIT);
    }

    @AfterEach
    void close() {
        channel.finishAndReleaseAll();
    }

    @Test
    void everyFrameKindSurvivesARoundTrip() {
        byte[] body = new byte[1000];
        for (int i = 0; i < body.length; i++) {
            body[i] = (byte) (i * 31);
        }
        List<LinkFrame> frames = List.of(
                LinkFrames.hello(NodeId.fromPublicKey(new byte[] {1}), "127.0.0.1", 7100),
                LinkFrames.request(Long.MAX_VALUE, -5, body),
                LinkFrames.answer(3, body),
                LinkFrames.answer(4, new byte[0]),
                LinkFrames.error(5, Status.BUSY, "busy"),
                LinkFrames.error(6, Status.FAILED, "no such key"),
                LinkFrames.message(Integer.MAX_VALUE, body),
                LinkFrames.ping(7),
                LinkFrames.pong(7),
                LinkFrames.goodbye("bye"));
        for (LinkFrame frame : frames) {
            assertEquals(frame, roundTrip(frame), frame.getBodyCase().toString());
        }
    }

    @Test
    void framesSplitIntoSingleBytesAreReassembled() {
        LinkFrame frame = LinkFrames.request(1, 2, new byte[] {9, 8, 7});
        ByteBuf wire = encode(frame);
        while (wire.isReadable()) {
            channel.writeInbound(wire.readRetainedSlice(1));
        }
        wire.release();
        assertEquals(frame, channel.readInbound());
    }

    @Test
    void bytesThatAreNotALinkFrameAreMalformed() {
        ByteBuf garbage = Unpooled.buffer();
        garbage.writeInt(5).writeBytes(new byte[] {(byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF});

        Exception failure = assertThrows(Exception.class, () -> channel.writeInbound(garbage));

        assertNotNull(find(failure, ProtocolException.class), failure::toString);
        assertNull(channel.readInbound());
    }

    @Test
    void anEmptyFrameHasNoBodyAndIsMalformed() {
        ByteBuf empty = Unpooled.buffer().writeInt(0);

        Exception failure = assertThrows(Exception.class, () -> channel.writeInbound(empty));

        ProtocolException malformed = find(failure, ProtocolException.class);
        assertNotNull(malformed, failure::toString);
        assertTrue(malformed.getMessage().contains("no known body"), malformed.getMessage());
    }

    @Test
    void anOversizeLengthFailsBeforeItsBodyArrives() {
        ByteBuf header = Unpooled.buffer().writeInt(LIMIT + 1);

        Exception failure = assertThrows(Exception.class, () -> channel.writeInbound(header));

        assertNotNull(find(failure, TooLongFrameException.class), failure::toString);
    }

    @Test
    void aNegativeLengthIsRefused() {
        ByteBuf header = Unpooled.buffer().writeInt(-1);

        assertThrows(Exception.class, () -> channel.writeInbound(header));
        assertNull(channel.readInbound());
    }

    @Test
    void theEncoderRefusesAFrameAboveTheLimit() {
        LinkFrame big = LinkFrames.message(1, new byte[LIMIT]);

        Exception failure = assertThrows(Exception.class, () -> channel.writeOutbound(big));

        assertNotNull(find(failure, ProtocolException.class), failure::toString);
    }

    @Test
    void theSizeEstimatorCountsAQueuedFrameBySerializedSize() {
        LinkFrame frame = LinkFrames.message(1, new byte[2000]);
        int size = LinkCodec.FRAME_SIZE_ESTIMATOR.newHandle().size(frame);
        assertEquals(frame.getSerializedSize() + 4, size);
    }

    private LinkFrame roundTrip(LinkFrame frame) {
        channel.writeInbound(encode(frame));
        return channel.readInbound();
    }

    /** The bytes the codec writes for {@code frame}: the length prefix and the body, as one buffer. */
    private ByteBuf encode(LinkFrame frame) {
        assertTrue(channel.writeOutbound(frame));
        ByteBuf wire = Unpooled.buffer();
        for (ByteBuf part; (part = channel.readOutbound()) != null; ) {
            wire.writeBytes(part);
            part.release();
        }
        assertEquals(4 + frame.getSerializedSize(), wire.readableBytes());
        assertEquals(frame.getSerializedSize(), wire.getInt(0));
        return wire;
    }

    private static <T extends Throwable> T find(Throwable failure, Class<T> type) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (type.isInstance(t)) {
                return type.cast(t);
            }
        }
        return null;
    }
}
