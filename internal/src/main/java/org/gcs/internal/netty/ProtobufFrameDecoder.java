package org.gcs.internal.netty;

import com.google.protobuf.MessageLite;
import com.google.protobuf.Parser;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufInputStream;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.MessageToMessageDecoder;
import java.io.IOException;
import java.util.List;

/**
 * The twin of {@link ProtobufFrameEncoder}: one length-delimited frame (its length already taken off by the decoder
 * before it) into one protobuf message. Bytes that do not parse fail the pipeline with a {@code DecoderException}
 * whose cause is the {@link com.google.protobuf.InvalidProtocolBufferException}, for the handler behind to answer.
 */
public final class ProtobufFrameDecoder<M extends MessageLite> extends MessageToMessageDecoder<ByteBuf> {
    private final Parser<M> parser;

    /** @param parser the message's parser, {@code RelayFrame.parser()} say */
    public ProtobufFrameDecoder(Parser<M> parser) {
        super(ByteBuf.class);
        this.parser = parser;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf frame, List<Object> out) throws IOException {
        try (ByteBufInputStream in = new ByteBufInputStream(frame)) {
            out.add(parser.parseFrom(in));
        }
    }
}
