package org.gcs.relay;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.timeout.IdleStateEvent;
import java.lang.System.Logger.Level;
import java.util.List;
import org.gcs.api.wire.NodeWire.IceServer;
import org.gcs.api.wire.NodeWire.Pong;
import org.gcs.api.wire.RelayWire.Forward;
import org.gcs.api.wire.RelayWire.Register;
import org.gcs.api.wire.RelayWire.Registered;
import org.gcs.api.wire.RelayWire.RelayError;
import org.gcs.api.wire.RelayWire.RelayErrorCode;
import org.gcs.api.wire.RelayWire.RelayFrame;
import org.gcs.api.wire.WireVersions;

/**
 * One client connection: {@code Register} first (any other frame closes it), then {@code Forward}s to other registered
 * ids, each delivered as a {@code Forward} from this client's id, and pings. A forward to nobody gets
 * {@code RELAY_UNKNOWN_PEER} with its connection id and the connection stays; a malformed or oversize frame, a second
 * registration of the same id elsewhere, or a full relay gets its error and the close.
 */
final class RelayHandler extends SimpleChannelInboundHandler<RelayFrame> {
    private static final System.Logger LOG = System.getLogger(RelayHandler.class.getName());
    static final int MAX_ID_CHARS = 256;

    private final Registrations registrations;
    private final RelayStats stats;
    private final List<IceServer> iceServers;
    private String id;

    RelayHandler(Registrations registrations, RelayStats stats, List<IceServer> iceServers) {
        this.registrations = registrations;
        this.stats = stats;
        this.iceServers = iceServers;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, RelayFrame frame) {
        if (id == null) {
            if (frame.getBodyCase() != RelayFrame.BodyCase.REGISTER) {
                fail(ctx.channel(), RelayErrorCode.RELAY_MALFORMED, "Register first, not " + frame.getBodyCase());
                return;
            }
            register(ctx, frame.getRegister());
            return;
        }
        switch (frame.getBodyCase()) {
            case FORWARD -> forward(ctx, frame.getForward());
            case PING -> ctx.writeAndFlush(RelayFrame.newBuilder()
                    .setPong(Pong.newBuilder().setNonce(frame.getPing().getNonce())).build());
            default -> fail(ctx.channel(), RelayErrorCode.RELAY_MALFORMED, frame.getBodyCase() + " is not sent to a relay");
        }
    }

    private void register(ChannelHandlerContext ctx, Register register) {
        if (register.getProtocolVersion() != WireVersions.RELAY_PROTOCOL) {
            fail(ctx.channel(), RelayErrorCode.RELAY_UNSUPPORTED_VERSION, "relay protocol "
                    + register.getProtocolVersion() + " is not spoken here; this relay speaks " + WireVersions.RELAY_PROTOCOL);
            return;
        }
        String wanted = register.getId();
        if (wanted.isEmpty() || wanted.length() > MAX_ID_CHARS || !wanted.chars().allMatch(c -> c > 0x20 && c != 0x7f)) {
            fail(ctx.channel(), RelayErrorCode.RELAY_MALFORMED, "an id is 1 to " + MAX_ID_CHARS
                    + " printable characters without blanks");
            return;
        }
        Registrations.Outcome outcome = registrations.register(wanted, ctx.channel());
        if (outcome.full()) {
            fail(ctx.channel(), RelayErrorCode.RELAY_FULL, "the relay holds its maximum of " + registrations.max() + " registrations");
            return;
        }
        id = wanted;
        stats.registered();
        if (outcome.replaced() != null) {
            fail(outcome.replaced(), RelayErrorCode.RELAY_REPLACED, wanted + " registered again on another connection");
        }
        ctx.writeAndFlush(RelayFrame.newBuilder().setRegistered(Registered.newBuilder().addAllIceServers(iceServers)).build());
        LOG.log(Level.DEBUG, () -> "registered " + wanted + " from " + ctx.channel().remoteAddress());
    }

    private void forward(ChannelHandlerContext ctx, Forward forward) {
        Channel peer = registrations.lookup(forward.getPeer());
        if (peer == null || !peer.isActive()) {
            stats.unknownPeer();
            ctx.writeAndFlush(RelayFrame.newBuilder().setError(RelayError.newBuilder()
                    .setCode(RelayErrorCode.RELAY_UNKNOWN_PEER).setMessage(forward.getPeer() + " is not registered")
                    .setConnectionId(forward.getConnectionId())).build());
            return;
        }
        Forward delivered = forward.toBuilder().setPeer(id).build();
        stats.forwarded(forward.getPayload().size());
        peer.writeAndFlush(RelayFrame.newBuilder().setForward(delivered).build());
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        if (id != null) {
            registrations.unregister(id, ctx.channel());
        }
        super.channelInactive(ctx);
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) throws Exception {
        if (event instanceof IdleStateEvent) {
            LOG.log(Level.DEBUG, () -> "closing idle connection " + ctx.channel().remoteAddress());
            ctx.close();
            return;
        }
        super.userEventTriggered(ctx, event);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        Throwable c = cause instanceof DecoderException && cause.getCause() != null ? cause.getCause() : cause;
        if (cause instanceof TooLongFrameException || c instanceof TooLongFrameException) {
            fail(ctx.channel(), RelayErrorCode.RELAY_OVERSIZE, "frame over the limit: " + c.getMessage());
        } else if (c instanceof com.google.protobuf.InvalidProtocolBufferException) {
            fail(ctx.channel(), RelayErrorCode.RELAY_MALFORMED, "not a RelayFrame: " + c.getMessage());
        } else {
            LOG.log(Level.DEBUG, () -> "connection " + ctx.channel().remoteAddress() + " failed: " + c);
            ctx.close();
        }
    }

    /** Sends the error, stops reading and closes once it is written. */
    private void fail(Channel channel, RelayErrorCode code, String message) {
        stats.refused();
        LOG.log(Level.DEBUG, () -> "closing " + channel.remoteAddress() + ": " + code + " " + message);
        channel.config().setAutoRead(false);
        RelayFrame error = RelayFrame.newBuilder().setError(RelayError.newBuilder().setCode(code).setMessage(message))
                .build();
        channel.writeAndFlush(error).addListener(ChannelFutureListener.CLOSE);
    }
}
