package org.gcs.node.stats;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;

/** Counts the raw bytes of a TLS connection; sits at the head of the pipeline, before the {@code SslHandler}. */
@Sharable
public final class TlsByteCounter extends ChannelDuplexHandler {
    private final NodeStats stats;

    public TlsByteCounter(NodeStats stats) {
        this.stats = stats;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof ByteBuf buf) {
            stats.tlsBytesIn(buf.readableBytes());
        }
        ctx.fireChannelRead(msg);
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        if (msg instanceof ByteBuf buf) {
            stats.tlsBytesOut(buf.readableBytes());
        }
        ctx.write(msg, promise);
    }
}
