package org.gcs.internal.stun;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.DatagramPacket;
import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;
import java.util.Optional;

/**
 * A STUN server on a datagram channel (a GCS node's, the baseline relay's): answers what {@link StunServerPolicy}
 * answers (Binding requests), drops everything else with a debug log, and keeps serving whatever arrives.
 */
@Sharable
public final class StunResponder extends SimpleChannelInboundHandler<DatagramPacket> {
    private static final System.Logger LOG = System.getLogger(StunResponder.class.getName());

    /** Where the bytes a responder receives and sends are counted. */
    public interface Traffic {
        Traffic NONE = new Traffic() {
            @Override
            public void in(long bytes) {
            }

            @Override
            public void out(long bytes) {
            }
        };

        void in(long bytes);

        void out(long bytes);
    }

    private final Traffic stats;

    public StunResponder(Traffic traffic) {
        this.stats = traffic;
    }

    /** Binds a UDP socket on {@code host}:{@code port} (0: any) served by this responder; returns its channel. */
    public io.netty.channel.Channel bind(io.netty.channel.EventLoopGroup group, String host, int port)
            throws InterruptedException {
        StunResponder responder = this;
        return new io.netty.bootstrap.Bootstrap()
                .group(group)
                .channel(io.netty.channel.socket.nio.NioDatagramChannel.class)
                .handler(new io.netty.channel.ChannelInitializer<io.netty.channel.socket.DatagramChannel>() {
                    @Override
                    protected void initChannel(io.netty.channel.socket.DatagramChannel ch) {
                        ch.pipeline().addLast(responder);
                    }
                })
                .bind(host, port).sync().channel();
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, DatagramPacket packet) {
        int size = packet.content().readableBytes();
        stats.in(size);
        StunMessage message;
        try {
            message = StunCodec.decode(packet.content().nioBuffer());
        } catch (StunCodec.MalformedStunException e) {
            LOG.log(Level.DEBUG, () -> "dropped " + size + " bytes from " + packet.sender() + ": " + e.getMessage());
            return;
        }
        Optional<ByteBuffer> answer = StunServerPolicy.answer(message, packet.sender());
        if (answer.isEmpty()) {
            LOG.log(Level.DEBUG, () -> "not answered from " + packet.sender() + ": " + message);
            return;
        }
        ByteBuffer response = answer.get();
        stats.out(response.remaining());
        ctx.writeAndFlush(new DatagramPacket(Unpooled.wrappedBuffer(response), packet.sender())).addListener(f -> {
            if (!f.isSuccess()) {
                LOG.log(Level.DEBUG, () -> "STUN response to " + packet.sender() + " failed: " + f.cause());
            }
        });
        LOG.log(Level.DEBUG, () -> "answered from " + packet.sender() + ": " + message);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        LOG.log(Level.DEBUG, () -> "STUN socket error: " + cause);
    }
}
