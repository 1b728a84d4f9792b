package org.gcs.routing.kademlia.link;

import com.google.protobuf.InvalidProtocolBufferException;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufInputStream;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.MessageToMessageDecoder;
import java.io.IOException;
import java.util.List;
import org.gcs.api.ProtocolException;
import org.gcs.routing.kademlia.link.wire.LinkWire.LinkFrame;

/** Parses one length-delimited frame into a {@link LinkFrame}; a frame that does not parse or has no body is malformed. */
final class LinkFrameDecoder extends MessageToMessageDecoder<ByteBuf> {
    LinkFrameDecoder() {
        super(ByteBuf.class);
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf frame, List<Object> out) throws IOException {
        LinkFrame parsed;
        try (ByteBufInputStream in = new ByteBufInputStream(frame)) {
            parsed = LinkFrame.parseFrom(in);
        } catch (InvalidProtocolBufferException e) {
            throw new ProtocolException("frame is not a LinkFrame: " + e.getMessage(), e);
        }
        if (parsed.getBodyCase() == LinkFrame.BodyCase.BODY_NOT_SET) {
            throw new ProtocolException("frame has no known body");
        }
        out.add(parsed);
    }
}
