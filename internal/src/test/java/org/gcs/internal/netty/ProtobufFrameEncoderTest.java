package org.gcs.internal.netty;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelFuture;
import io.netty.channel.embedded.EmbeddedChannel;
import org.gcs.api.ProtocolException;
import org.gcs.api.wire.AppWire;
import org.junit.jupiter.api.Test;

/** The shared frame encoder, without sockets. */
class ProtobufFrameEncoderTest {
    private static AppWire.AppFrame friends(int n) {
        AppWire.Friends.Builder f = AppWire.Friends.newBuilder().setRequestId(1);
        for (int i = 0; i < n; i++) {
            f.addFriends(AppWire.Friend.newBuilder().setUserId("pk:friend" + i).setPetname("a friend"));
        }
        return AppWire.AppFrame.newBuilder().setFriends(f).build();
    }

    @Test
    void aMessageWithinTheLimitIsWrittenAsItsBytes() {
        EmbeddedChannel ch = new EmbeddedChannel(new ProtobufFrameEncoder<>(AppWire.AppFrame.class, 1024,
                frame -> frame.getBodyCase().toString()));
        AppWire.AppFrame small = friends(3);
        assertTrue(ch.writeOutbound(small));
        ByteBuf out = ch.readOutbound();
        assertArrayEquals(small.toByteArray(), ByteBufUtil.getBytes(out));
        out.release();
        ch.finishAndReleaseAll();
    }

    @Test
    void aMessageOverTheLimitFailsItsWriteNamingItAndTheChannelGoesOn() {
        EmbeddedChannel ch = new EmbeddedChannel(new ProtobufFrameEncoder<>(AppWire.AppFrame.class, 1024,
                frame -> frame.getBodyCase().toString()));
        ChannelFuture write = ch.writeOneOutbound(friends(200));
        ch.flushOutbound();
        assertFalse(write.isSuccess());
        assertInstanceOf(ProtocolException.class, write.cause().getCause() != null
                && !(write.cause() instanceof ProtocolException) ? write.cause().getCause() : write.cause());
        assertTrue(String.valueOf(write.cause().getMessage()).contains("FRIENDS of "), write.cause().toString());
        assertNull(ch.readOutbound(), "nothing reached the wire");
        assertTrue(ch.isActive(), "the channel stays up: the caller decides");
        assertTrue(ch.writeOutbound(friends(1)));
        ch.finishAndReleaseAll();
    }
}
