package org.gcs.node.net;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufOutputStream;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.MessageToByteEncoder;
import java.io.IOException;
import org.gcs.api.ProtocolException;
import org.gcs.api.wire.NodeWire.NodeFrame;

/** Writes a {@link NodeFrame}'s bytes (the length prefix comes next); refuses frames above the frame limit. */
public final class NodeFrameEncoder extends MessageToByteEncoder<NodeFrame> {
    private final int maxFrameBytes;

    public NodeFrameEncoder(int maxFrameBytes) {
        super(NodeFrame.class);
        this.maxFrameBytes = maxFrameBytes;
    }

    @Override
    protected ByteBuf allocateBuffer(ChannelHandlerContext ctx, NodeFrame frame, boolean preferDirect) {
        return ctx.alloc().ioBuffer(frame.getSerializedSize());
    }

    @Override
    protected void encode(ChannelHandlerContext ctx, NodeFrame frame, ByteBuf out) throws IOException {
        int size = frame.getSerializedSize();
        if (size > maxFrameBytes) {
            throw new ProtocolException(frame.getBodyCase() + " of " + size + " bytes exceeds the frame limit " + maxFrameBytes);
        }
        try (ByteBufOutputStream stream = new ByteBufOutputStream(out)) {
            frame.writeTo(stream);
        }
    }
}
