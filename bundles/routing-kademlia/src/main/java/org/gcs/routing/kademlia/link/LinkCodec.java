package org.gcs.routing.kademlia.link;

import io.netty.channel.ChannelPipeline;
import io.netty.channel.MessageSizeEstimator;
import io.netty.channel.DefaultMessageSizeEstimator;
import io.netty.handler.codec.LengthFieldBasedFrameDecoder;
import io.netty.handler.codec.LengthFieldPrepender;
import org.gcs.routing.kademlia.link.wire.LinkWire.LinkFrame;
import org.gcs.internal.netty.ProtobufFrameEncoder;

/**
 * The framing of a link above TLS: a 4-byte big-endian length, then one protobuf {@link LinkFrame}. Inbound, a length
 * above the limit fails at once ({@code TooLongFrameException}, before the body arrives) and a body that does not parse
 * fails with {@link org.gcs.api.ProtocolException}; outbound, a frame above the limit fails its write. Tests install it
 * on an {@code EmbeddedChannel}.
 */
final class LinkCodec {
    /**
     * Counts a queued {@link LinkFrame} by its serialized size, so that Netty's writability (the write buffer's high
     * water mark) sees frames queued from other threads before they are encoded.
     */
    static final MessageSizeEstimator FRAME_SIZE_ESTIMATOR = new MessageSizeEstimator() {
        private final MessageSizeEstimator.Handle other = DefaultMessageSizeEstimator.DEFAULT.newHandle();
        private final MessageSizeEstimator.Handle handle = message -> message instanceof LinkFrame frame
                ? frame.getSerializedSize() + 4
                : other.size(message);

        @Override
        public MessageSizeEstimator.Handle newHandle() {
            return handle;
        }
    };

    private LinkCodec() {
    }

    /** Adds the frame decoder, length prepender, and protobuf decoder and encoder at the end of {@code pipeline}. */
    static void install(ChannelPipeline pipeline, int maxFrameBytes) {
        pipeline.addLast("frames", new LengthFieldBasedFrameDecoder(maxFrameBytes, 0, 4, 0, 4));
        pipeline.addLast("length", new LengthFieldPrepender(4));
        pipeline.addLast("decode", new LinkFrameDecoder());
        pipeline.addLast("encode", new ProtobufFrameEncoder<>(LinkFrame.class, maxFrameBytes,
                frame -> frame.getBodyCase().toString()));
    }
}
