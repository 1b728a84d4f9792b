package org.gcs.internal.netty;

import com.google.protobuf.MessageLite;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufOutputStream;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.MessageToByteEncoder;
import java.io.IOException;
import java.util.function.Function;
import org.gcs.api.ProtocolException;

/**
 * Writes a protobuf message's bytes (a length prefix is added next in the pipeline) and refuses, with a
 * {@link ProtocolException} that names the message, one longer than the frame limit, which the peer would refuse.
 */
public final class ProtobufFrameEncoder<M extends MessageLite> extends MessageToByteEncoder<M> {
    private final int maxFrameBytes;
    private final Function<? super M, String> describe;

    /** @param describe names a refused message in the error (its oneof case, say) */
    public ProtobufFrameEncoder(Class<? extends M> type, int maxFrameBytes, Function<? super M, String> describe) {
        super(type);
        this.maxFrameBytes = maxFrameBytes;
        this.describe = describe;
    }

    @Override
    protected ByteBuf allocateBuffer(ChannelHandlerContext ctx, M message, boolean preferDirect) {
        return ctx.alloc().ioBuffer(message.getSerializedSize());
    }

    @Override
    protected void encode(ChannelHandlerContext ctx, M message, ByteBuf out) throws IOException {
        int size = message.getSerializedSize();
        if (size > maxFrameBytes) {
            throw new ProtocolException(describe.apply(message) + " of " + size + " bytes exceeds the frame limit "
                    + maxFrameBytes);
        }
        try (ByteBufOutputStream stream = new ByteBufOutputStream(out)) {
            message.writeTo(stream);
        }
    }
}
