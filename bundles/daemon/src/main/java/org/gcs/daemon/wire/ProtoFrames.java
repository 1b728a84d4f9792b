package org.gcs.daemon.wire;

import com.google.protobuf.MessageLite;
import com.google.protobuf.Parser;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.LengthFieldBasedFrameDecoder;
import io.netty.handler.codec.LengthFieldPrepender;
import io.netty.handler.codec.MessageToMessageDecoder;
import java.util.List;
import org.gcs.api.wire.WireVersions;
import org.gcs.internal.netty.ProtobufFrameEncoder;

/**
 * Installs and removes the frame codec of the GCS wire format: a 4-byte big-endian length (at most
 * {@link WireVersions#MAX_FRAME_BYTES}), then one protobuf message. A longer length raises
 * {@link io.netty.handler.codec.TooLongFrameException}, bytes that do not parse a {@link io.netty.handler.codec.DecoderException};
 * the handler behind the codec decides to close. A message to write that is longer fails its write with a
 * {@link org.gcs.api.ProtocolException} instead of reaching the peer, who would refuse it.
 *
 * <pre>{@code
 * ProtoFrames.install(ch.pipeline(), AppWire.AppFrame.parser());
 * ch.pipeline().addLast(new MyHandler());       // receives AppFrame, writes any MessageLite
 * }</pre>
 */
public final class ProtoFrames {
    public static final String FRAME_DECODER = "gcs-frame-decoder";
    public static final String FRAME_ENCODER = "gcs-frame-encoder";
    public static final String PROTO_DECODER = "gcs-proto-decoder";
    public static final String PROTO_ENCODER = "gcs-proto-encoder";

    private ProtoFrames() {
    }

    /** Adds the four codec handlers at the end of {@code pipeline}. */
    public static <M extends MessageLite> void install(ChannelPipeline pipeline, Parser<M> parser) {
        pipeline.addLast(FRAME_DECODER, new LengthFieldBasedFrameDecoder(WireVersions.MAX_FRAME_BYTES, 0, 4, 0, 4));
        pipeline.addLast(FRAME_ENCODER, new LengthFieldPrepender(4));
        pipeline.addLast(PROTO_DECODER, new ProtoDecoder<>(parser));
        pipeline.addLast(PROTO_ENCODER, new ProtobufFrameEncoder<>(MessageLite.class, WireVersions.MAX_FRAME_BYTES,
                message -> message.getClass().getSimpleName()));
    }

    /**
     * Removes the message codecs and then the frame decoder, whose unread bytes go on to the handlers behind it: add
     * the handler that takes raw bytes before calling this.
     */
    public static void remove(ChannelPipeline pipeline) {
        pipeline.remove(PROTO_DECODER);
        pipeline.remove(PROTO_ENCODER);
        pipeline.remove(FRAME_ENCODER);
        pipeline.remove(FRAME_DECODER);
    }

    private static final class ProtoDecoder<M extends MessageLite> extends MessageToMessageDecoder<ByteBuf> {
        private final Parser<M> parser;

        ProtoDecoder(Parser<M> parser) {
            super(ByteBuf.class);
            this.parser = parser;
        }

        @Override
        protected void decode(ChannelHandlerContext ctx, ByteBuf msg, List<Object> out) throws Exception {
            out.add(parser.parseFrom(ByteBufUtil.getBytes(msg)));
        }
    }
}
