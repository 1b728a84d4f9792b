package org.gcs.node.net;

import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.timeout.IdleStateEvent;
import java.io.IOException;
import java.lang.System.Logger.Level;
import javax.net.ssl.SSLException;
import org.gcs.api.ProtocolException;
import org.gcs.api.wire.NodeWire.ErrorCode;
import org.gcs.node.session.Disconnect;

/**
 * The last handler of a daemon connection: turns a failure anywhere in the pipeline into the matching fatal
 * {@code Error} (oversize, malformed, internal) and closes that connection only; closes idle connections.
 */
@Sharable
public final class ProtocolErrorHandler extends ChannelInboundHandlerAdapter {
    public static final ProtocolErrorHandler INSTANCE = new ProtocolErrorHandler();
    private static final System.Logger LOG = System.getLogger(ProtocolErrorHandler.class.getName());

    private ProtocolErrorHandler() {
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (Disconnect.isClosing(ctx.channel())) {
            return;
        }
        Object peer = ctx.channel().remoteAddress();
        if (find(cause, TooLongFrameException.class) != null) {
            LOG.log(Level.INFO, () -> "closing " + peer + ": oversize frame: " + cause.getMessage());
            Disconnect.withError(ctx.channel(), ErrorCode.OVERSIZE, "frame above the size limit");
        } else if (find(cause, SSLException.class) != null) {
            LOG.log(Level.INFO, () -> "closing " + peer + ": TLS failure: " + find(cause, SSLException.class).getMessage());
            ctx.close();
        } else if (find(cause, ProtocolException.class) != null) {
            String reason = find(cause, ProtocolException.class).getMessage();
            LOG.log(Level.INFO, () -> "closing " + peer + ": malformed: " + reason);
            Disconnect.withError(ctx.channel(), ErrorCode.MALFORMED, reason);
        } else if (find(cause, io.netty.handler.codec.CorruptedFrameException.class) != null) {
            LOG.log(Level.INFO, () -> "closing " + peer + ": malformed framing: " + cause.getMessage());
            Disconnect.withError(ctx.channel(), ErrorCode.MALFORMED, "bad frame length");
        } else if (cause instanceof IOException) {
            LOG.log(Level.DEBUG, () -> "connection " + peer + " failed: " + cause.getMessage());
            ctx.close();
        } else {
            LOG.log(Level.WARNING, "closing " + peer + ": internal error", cause);
            Disconnect.withError(ctx.channel(), ErrorCode.INTERNAL, "internal error");
        }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
        if (event instanceof IdleStateEvent) {
            LOG.log(Level.INFO, () -> "closing idle connection " + ctx.channel().remoteAddress());
            ctx.close();
        } else {
            ctx.fireUserEventTriggered(event);
        }
    }

    private static <T extends Throwable> T find(Throwable failure, Class<T> type) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (type.isInstance(t)) {
                return type.cast(t);
            }
        }
        return null;
    }
}
