package org.gcs.node.net;

import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.LengthFieldBasedFrameDecoder;
import io.netty.handler.codec.LengthFieldPrepender;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.timeout.IdleStateHandler;
import java.time.Duration;
import org.gcs.api.wire.NodeWire.NodeFrame;
import org.gcs.internal.netty.ProtobufFrameEncoder;
import org.gcs.node.session.LoginHandler;
import org.gcs.node.session.NodeLimits;
import org.gcs.node.session.SessionContext;
import org.gcs.node.stats.TlsByteCounter;

/**
 * The pipeline of one daemon connection:
 * <pre>
 * bytes (counter) - slow-reader (back-pressure) - idle - tls - addresses (per-address limit) - frames (length decoder) - length (prepender) - decode - encode - login/session - errors
 * </pre>
 */
public final class NodeChannelInitializer extends ChannelInitializer<SocketChannel> {
    private final SslContext ssl;
    private final SessionContext context;
    private final TlsByteCounter counter;
    private final Duration idleTimeout;
    private final AddressLimiter addresses;

    public NodeChannelInitializer(SslContext ssl, SessionContext context, Duration idleTimeout) {
        this.ssl = ssl;
        this.context = context;
        this.counter = new TlsByteCounter(context.stats());
        this.idleTimeout = idleTimeout;
        this.addresses = new AddressLimiter(context.devices().limits().connectionsPerAddress(), context.stats());
    }

    @Override
    protected void initChannel(SocketChannel channel) {
        ChannelPipeline pipeline = channel.pipeline();
        NodeLimits limits = context.devices().limits();
        channel.config().setWriteBufferWaterMark(
                new WriteBufferWaterMark(limits.writeBufferBytes() / 2, limits.writeBufferBytes()));
        pipeline.addLast("bytes", counter);
        pipeline.addLast("slow-reader", new SlowReaderGuard(limits.slowReader(), context.stats()));
        pipeline.addLast("idle", new IdleStateHandler(idleTimeout.toMillis(), 0, 0, java.util.concurrent.TimeUnit.MILLISECONDS));
        pipeline.addLast("tls", ssl.newHandler(channel.alloc()));
        pipeline.addLast("addresses", addresses); // after tls: it answers once the handshake is done
        installProtocol(pipeline, context);
    }

    /** Adds everything above TLS: framing, protobuf codec, login, error handling. Tests use it on an EmbeddedChannel. */
    public static void installProtocol(ChannelPipeline pipeline, SessionContext context) {
        pipeline.addLast("frames", new LengthFieldBasedFrameDecoder(context.maxFrameBytes(), 0, 4, 0, 4));
        pipeline.addLast("length", new LengthFieldPrepender(4));
        pipeline.addLast("decode", new NodeFrameDecoder());
        pipeline.addLast("encode", new ProtobufFrameEncoder<>(NodeFrame.class, context.maxFrameBytes(),
                frame -> frame.getBodyCase().toString()));
        pipeline.addLast("login", new LoginHandler(context));
        pipeline.addLast("errors", ProtocolErrorHandler.INSTANCE);
    }
}
