package org.gcs.daemon.app;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownEvent;

/**
 * While a {@code ConnectApp} waits for its outcome the connection keeps being read, so that an application that hangs
 * up is noticed at once (and the connect cancelled), and what it sends early is kept, up to {@value #MAX_BYTES} bytes,
 * for the pipe (or for the frame decoder, if the connect fails). Over the bound it stops reading. Sits first in the
 * pipeline, on the connection's event loop.
 */
final class EarlyBytes extends ChannelInboundHandlerAdapter {
    static final String NAME = "gcs-early-bytes";
    static final int MAX_BYTES = 1 << 20;

    private final Runnable hungUp;
    private CompositeByteBuf held;

    EarlyBytes(Runnable hungUp) {
        this.hungUp = hungUp;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof ByteBuf bytes)) {
            ctx.fireChannelRead(msg);
            return;
        }
        if (held == null) {
            held = ctx.alloc().compositeBuffer(Integer.MAX_VALUE);
        }
        held.addComponent(true, bytes);
        if (held.readableBytes() >= MAX_BYTES) {
            ctx.channel().config().setAutoRead(false);
        }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
        if (event instanceof ChannelInputShutdownEvent) {
            hungUp.run(); // the application closed (or shut its output) before knowing the outcome: it gave up
            return;
        }
        ctx.fireUserEventTriggered(event);
    }

    /** Hands what was kept to the handlers after this one, and leaves the pipeline. */
    void release(ChannelHandlerContext ctx) {
        CompositeByteBuf bytes = held;
        held = null;
        if (bytes != null && bytes.isReadable()) {
            ctx.fireChannelRead(bytes);
        } else if (bytes != null) {
            bytes.release();
        }
        ctx.pipeline().remove(this);
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        // removed without release (the connection closed): nothing is handed on
        if (held != null) {
            held.release();
            held = null;
        }
    }
}
