package org.gcs.node.net;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.gcs.node.stats.NodeStats;

/**
 * Back-pressure for one daemon connection. While the peer does not read what the node writes (the channel is over its
 * write buffer's high-water mark), the node stops reading the peer's requests, so a daemon that asks and never reads
 * cannot make the node buffer answers without limit; if it has still not read after {@code patience}, it is closed.
 * Runs on the channel's event loop.
 */
public final class SlowReaderGuard extends ChannelInboundHandlerAdapter {
    private static final System.Logger LOG = System.getLogger(SlowReaderGuard.class.getName());

    private final Duration patience;
    private final NodeStats stats;
    private ScheduledFuture<?> deadline;

    public SlowReaderGuard(Duration patience, NodeStats stats) {
        this.patience = patience;
        this.stats = stats;
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (ctx.channel().isWritable()) {
            ctx.channel().config().setAutoRead(true);
            cancel();
        } else {
            ctx.channel().config().setAutoRead(false);
            if (deadline == null) {
                deadline = ctx.executor().schedule(() -> {
                    deadline = null;
                    if (!ctx.channel().isWritable()) {
                        stats.slowReaderClosed();
                        LOG.log(Level.WARNING, () -> "closing " + ctx.channel().remoteAddress() + ": it has not read what"
                                + " it was sent for " + patience.toSeconds() + " s");
                        ctx.close();
                    }
                }, patience.toMillis(), TimeUnit.MILLISECONDS);
            }
        }
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        cancel();
        ctx.fireChannelInactive();
    }

    private void cancel() {
        if (deadline != null) {
            deadline.cancel(false);
            deadline = null;
        }
    }
}
