package org.gcs.routing.kademlia.link;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufOutputStream;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.MessageToByteEncoder;
import java.io.IOException;
import org.gcs.api.ProtocolException;
import org.gcs.routing.kademlia.link.wire.LinkWire.LinkFrame;

/** Writes a {@link LinkFrame}'s bytes (the length prefix comes next); refuses frames above the frame limit. */
final class LinkFrameEncoder extends MessageToByteEncoder<LinkFrame> {
    private final int maxFrameBytes;

    LinkFrameEncoder(int maxFrameBytes) {
        super(LinkFrame.class);
        this.maxFrameBytes = maxFrameBytes;
    }

    @Override
    protected ByteBuf allocateBuffer(ChannelHandlerContext ctx, LinkFrame frame, boolean preferDirect) {
        return ctx.alloc().ioBuffer(frame.getSerializedSize());
    }

    @Override
    protected void encode(ChannelHandlerContext ctx, LinkFrame frame, ByteBuf out) throws IOException {
        int size = frame.getSerializedSize();
        if (size > maxFrameBytes) {
            throw new ProtocolException(frame.getBodyCase() + " of " + size + " bytes exceeds the frame limit "
                    + maxFrameBytes);
        }
        try (ByteBufOutputStream stream = new ByteBufOutputStream(out)) {
            frame.writeTo(stream);
        }
    }
}
