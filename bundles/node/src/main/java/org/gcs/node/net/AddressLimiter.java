package org.gcs.node.net;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.util.AttributeKey;
import java.lang.System.Logger.Level;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import org.gcs.api.wire.NodeWire.ErrorCode;
import org.gcs.node.session.Disconnect;
import org.gcs.node.stats.NodeStats;

/**
 * Counts the open connections of each source address and refuses one that opens over the limit: once its TLS
 * handshake is done (so the daemon can read why) it gets {@code Error{LIMIT_EXCEEDED}} and is closed. Shared by all connections of a
 * listener; counts are kept from channel active to inactive.
 */
@ChannelHandler.Sharable
public final class AddressLimiter extends ChannelInboundHandlerAdapter {
    private static final System.Logger LOG = System.getLogger(AddressLimiter.class.getName());

    /** Set on a connection that was over the limit when it opened: how many were open from its address then. */
    private static final AttributeKey<Integer> OVER = AttributeKey.valueOf("gcs.node.over.address.limit");

    private final int limit;
    private final NodeStats stats;
    private final ConcurrentMap<InetAddress, Integer> open = new ConcurrentHashMap<>();

    public AddressLimiter(int limit, NodeStats stats) {
        this.limit = limit;
        this.stats = stats;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        int rank = open.merge(address(ctx), 1, Integer::sum);
        if (rank > limit) {
            ctx.channel().attr(OVER).set(rank);
        }
        ctx.fireChannelActive();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        open.computeIfPresent(address(ctx), (a, n) -> n <= 1 ? null : n - 1);
        ctx.fireChannelInactive();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
        Integer count = ctx.channel().attr(OVER).get();
        if (event instanceof SslHandshakeCompletionEvent done && done.isSuccess() && count != null) {
            InetAddress from = address(ctx);
            stats.limited();
            LOG.log(Level.INFO, () -> "refused a connection from " + from + ": " + count + " open (limit " + limit + ")");
            Disconnect.withError(ctx.channel(), ErrorCode.LIMIT_EXCEEDED,
                    count + " connections from " + from.getHostAddress() + " (limit " + limit + " per address)");
        }
        ctx.fireUserEventTriggered(event);
    }

    private static InetAddress address(ChannelHandlerContext ctx) {
        return ((InetSocketAddress) ctx.channel().remoteAddress()).getAddress();
    }
}
