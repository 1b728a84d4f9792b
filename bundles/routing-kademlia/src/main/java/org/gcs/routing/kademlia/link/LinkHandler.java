package org.gcs.routing.kademlia.link;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.CorruptedFrameException;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.handler.timeout.IdleState;
import io.netty.handler.timeout.IdleStateEvent;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.InetSocketAddress;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLPeerUnverifiedException;
import org.gcs.api.NodeId;
import org.gcs.api.ProtocolException;
import org.gcs.routing.kademlia.link.wire.LinkWire.LinkFrame;

/**
 * The last handler of a link's pipeline, on its event loop: starts the handshake timer, sends this node's hello once
 * TLS is up, checks the peer's hello ({@link HelloCheck}), then hands frames to the {@link ChannelLink}. Turns every
 * failure into a close of this link only, with a reason the peer is told when it can be; pings when nothing was written
 * for a while, closes when nothing was read for too long, and stops reading while the channel is unwritable.
 */
final class LinkHandler extends ChannelInboundHandlerAdapter {
    private static final System.Logger LOG = System.getLogger(LinkHandler.class.getName());

    private final ChannelLink link;
    private final LinkContext context;
    /** The dial's trust manager and the node dialed; both {@code null} on an accepted link. */
    private final PinnedNodeTrustManager pin;
    private final NodeId dialed;
    private ScheduledFuture<?> handshakeTimer;
    private NodeId certificateId;
    private boolean helloReceived;
    private long pings;

    LinkHandler(ChannelLink link, LinkContext context, PinnedNodeTrustManager pin, NodeId dialed) {
        this.link = link;
        this.context = context;
        this.pin = pin;
        this.dialed = dialed;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        long millis = context.config().handshakeTimeout().toMillis();
        handshakeTimer = ctx.executor().schedule(() -> link.closeWith(new LinkClosedException("no TLS handshake and "
                + "LinkHello within " + millis + " ms"), true), millis, TimeUnit.MILLISECONDS);
        ctx.fireChannelActive();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        cancelHandshakeTimer();
        ctx.fireChannelInactive();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) throws Exception {
        if (event instanceof SslHandshakeCompletionEvent tls) {
            if (tls.isSuccess()) {
                link.onTlsDone();
                certificateId(ctx);
                LinkFrame hello = context.hello().get();
                if (hello == null) {
                    link.close("the link endpoint is not ready yet");
                } else {
                    ctx.writeAndFlush(hello);
                }
            } else {
                link.closeWith(tlsFailure(tls.cause()), false);
            }
        } else if (event instanceof IdleStateEvent idle) {
            if (idle.state() == IdleState.READER_IDLE) {
                link.close("nothing heard from " + link.describe() + " for " + context.config().idleTimeout());
            } else if (idle.state() == IdleState.WRITER_IDLE && helloReceived && ctx.channel().isWritable()) {
                ctx.writeAndFlush(LinkFrames.ping(++pings));
            }
        } else {
            ctx.fireUserEventTriggered(event);
        }
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        LinkFrame frame = (LinkFrame) msg;
        if (link.closing()) {
            return;
        }
        if (helloReceived) {
            link.onFrame(frame);
            return;
        }
        if (!frame.hasHello()) {
            throw new ProtocolException("the first frame must be LinkHello, not " + frame.getBodyCase());
        }
        HelloCheck.PeerHello hello = HelloCheck.check(frame.getHello(), certificateId(ctx), dialed, context.self(),
                (InetSocketAddress) ctx.channel().remoteAddress());
        helloReceived = true;
        cancelHandshakeTimer();
        link.onHello(hello);
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        // Backpressure: while our answers cannot be written, read no more requests from this peer.
        ctx.channel().config().setAutoRead(ctx.channel().isWritable());
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (link.closing()) {
            return;
        }
        LinkClosedException closed = find(cause, LinkClosedException.class);
        if (closed != null) {
            link.closeWith(closed, true);
        } else if (find(cause, TooLongFrameException.class) != null) {
            link.close("frame above the limit of " + context.config().maxFrameBytes() + " bytes");
        } else if (find(cause, ProtocolException.class) != null) {
            link.close("protocol violation: " + find(cause, ProtocolException.class).getMessage());
        } else if (find(cause, CorruptedFrameException.class) != null) {
            link.close("protocol violation: bad frame length: " + cause.getMessage());
        } else if (find(cause, SSLException.class) != null) {
            link.closeWith(tlsFailure(cause), false);
        } else if (find(cause, IOException.class) != null) {
            link.closeWith(new LinkClosedException("the connection failed: " + cause.getMessage(), cause), false);
        } else {
            LOG.log(Level.WARNING, "internal error on the link " + link, cause);
            link.close("internal error");
        }
    }

    /** The peer's id, derived from its TLS certificate the first time it is needed. */
    private NodeId certificateId(ChannelHandlerContext ctx) {
        if (certificateId == null) {
            try {
                Certificate[] chain = ctx.pipeline().get(SslHandler.class).engine().getSession().getPeerCertificates();
                certificateId = NodeId.fromPublicKey(((X509Certificate) chain[0]).getPublicKey().getEncoded());
            } catch (SSLPeerUnverifiedException | RuntimeException e) {
                throw new ProtocolException("the peer presented no usable certificate: " + e.getMessage(), e);
            }
        }
        return certificateId;
    }

    private LinkClosedException tlsFailure(Throwable cause) {
        if (pin != null && pin.rejection() != null) {
            return new PeerIdentityException("refused " + link.describe() + ": " + pin.rejection(), cause);
        }
        Throwable root = cause;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return new LinkClosedException("TLS with " + link.describe() + " failed: " + root.getMessage(), cause);
    }

    private void cancelHandshakeTimer() {
        if (handshakeTimer != null) {
            handshakeTimer.cancel(false);
            handshakeTimer = null;
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
