package org.gcs.relay;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufInputStream;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.MessageToMessageDecoder;
import java.io.IOException;
import java.util.List;
import org.gcs.api.wire.RelayWire.RelayFrame;

/** One length-delimited frame into a {@link RelayFrame}; bytes that do not parse fail the pipeline with the reason. */
final class RelayFrameDecoder extends MessageToMessageDecoder<ByteBuf> {
    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf frame, List<Object> out) throws IOException {
        try (ByteBufInputStream in = new ByteBufInputStream(frame)) {
            out.add(RelayFrame.parseFrom(in));
        }
    }
}
