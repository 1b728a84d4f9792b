package org.gcs.node.stun;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.DatagramPacket;
import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;
import java.util.Optional;
import org.gcs.node.stats.NodeStats;

/**
 * The node's STUN server on a datagram channel: answers what {@link StunServerPolicy} answers (Binding requests), drops
 * everything else with a debug log, and keeps serving whatever arrives.
 */
@Sharable
public final class StunResponder extends SimpleChannelInboundHandler<DatagramPacket> {
    private static final System.Logger LOG = System.getLogger(StunResponder.class.getName());

    private final NodeStats stats;

    public StunResponder(NodeStats stats) {
        this.stats = stats;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, DatagramPacket packet) {
        int size = packet.content().readableBytes();
        stats.stunBytesIn(size);
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
        stats.stunBytesOut(response.remaining());
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
