package org.gcs.internal.netty;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.google.protobuf.InvalidProtocolBufferException;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.DecoderException;
import org.gcs.api.wire.NodeWire;
import org.junit.jupiter.api.Test;

/** One frame in, one message out; bytes that are no message fail the pipeline with the parser's reason. */
class ProtobufFrameDecoderTest {
    @Test
    void aFrameBecomesItsMessage() {
        EmbeddedChannel ch = new EmbeddedChannel(new ProtobufFrameDecoder<>(NodeWire.NodeFrame.parser()));
        NodeWire.NodeFrame ping = NodeWire.NodeFrame.newBuilder().setPing(NodeWire.Ping.newBuilder().setNonce(7)).build();
        ch.writeInbound(Unpooled.wrappedBuffer(ping.toByteArray()));
        assertEquals(ping, ch.readInbound());
    }

    @Test
    void bytesThatDoNotParseFailWithTheParsersReason() {
        EmbeddedChannel ch = new EmbeddedChannel(new ProtobufFrameDecoder<>(NodeWire.NodeFrame.parser()));
        DecoderException e = assertThrows(DecoderException.class,
                () -> ch.writeInbound(Unpooled.wrappedBuffer(new byte[] {(byte) 0xff, (byte) 0xff, (byte) 0xff})));
        assertInstanceOf(InvalidProtocolBufferException.class, e.getCause());
    }
}
