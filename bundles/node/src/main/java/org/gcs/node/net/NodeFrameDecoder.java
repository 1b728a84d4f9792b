package org.gcs.node.net;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufInputStream;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.MessageToMessageDecoder;
import java.io.IOException;
import java.util.List;
import org.gcs.api.ProtocolException;
import org.gcs.api.wire.NodeWire.NodeFrame;

/** Parses one length-delimited frame into a {@link NodeFrame}; a frame that does not parse or has no body is malformed. */
public final class NodeFrameDecoder extends MessageToMessageDecoder<ByteBuf> {
    public NodeFrameDecoder() {
        super(ByteBuf.class);
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf frame, List<Object> out) throws IOException {
        NodeFrame parsed;
        try (ByteBufInputStream in = new ByteBufInputStream(frame)) {
            parsed = NodeFrame.parseFrom(in);
        } catch (com.google.protobuf.InvalidProtocolBufferException e) {
            throw new ProtocolException("frame is not a NodeFrame: " + e.getMessage(), e);
        }
        if (parsed.getBodyCase() == NodeFrame.BodyCase.BODY_NOT_SET) {
            throw new ProtocolException("frame has no known body");
        }
        out.add(parsed);
    }
}
