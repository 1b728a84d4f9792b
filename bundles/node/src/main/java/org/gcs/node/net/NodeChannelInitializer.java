package org.gcs.node.net;

import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.LengthFieldBasedFrameDecoder;
import io.netty.handler.codec.LengthFieldPrepender;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.timeout.IdleStateHandler;
import java.time.Duration;
import org.gcs.node.session.LoginHandler;
import org.gcs.node.session.SessionContext;
import org.gcs.node.stats.TlsByteCounter;

/**
 * The pipeline of one daemon connection:
 * <pre>
 * bytes (counter) - idle - tls - frames (length decoder) - length (prepender) - decode - encode - login/session - errors
 * </pre>
 */
public final class NodeChannelInitializer extends ChannelInitializer<SocketChannel> {
    private final SslContext ssl;
    private final SessionContext context;
    private final TlsByteCounter counter;
    private final Duration idleTimeout;

    public NodeChannelInitializer(SslContext ssl, SessionContext context, Duration idleTimeout) {
        this.ssl = ssl;
        this.context = context;
        this.counter = new TlsByteCounter(context.stats());
        this.idleTimeout = idleTimeout;
    }

    @Override
    protected void initChannel(SocketChannel channel) {
        ChannelPipeline pipeline = channel.pipeline();
        pipeline.addLast("bytes", counter);
        pipeline.addLast("idle", new IdleStateHandler(idleTimeout.toMillis(), 0, 0, java.util.concurrent.TimeUnit.MILLISECONDS));
        pipeline.addLast("tls", ssl.newHandler(channel.alloc()));
        installProtocol(pipeline, context);
    }

    /** Adds everything above TLS: framing, protobuf codec, login, error handling. Tests use it on an EmbeddedChannel. */
    public static void installProtocol(ChannelPipeline pipeline, SessionContext context) {
        pipeline.addLast("frames", new LengthFieldBasedFrameDecoder(context.maxFrameBytes(), 0, 4, 0, 4));
        pipeline.addLast("length", new LengthFieldPrepender(4));
        pipeline.addLast("decode", new NodeFrameDecoder());
        pipeline.addLast("encode", new NodeFrameEncoder(context.maxFrameBytes()));
        pipeline.addLast("login", new LoginHandler(context));
        pipeline.addLast("errors", ProtocolErrorHandler.INSTANCE);
    }
}
