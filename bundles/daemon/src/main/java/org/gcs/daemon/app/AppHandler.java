package org.gcs.daemon.app;

import com.google.protobuf.ByteString;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOption;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.util.concurrent.ScheduledFuture;
import java.io.IOException;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.HexFormat;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import org.gcs.api.AppId;
import org.gcs.api.DeviceId;
import org.gcs.api.UserId;
import org.gcs.api.transport.ChannelType;
import org.gcs.api.transport.P2PChannel;
import org.gcs.api.transport.PathKind;
import org.gcs.api.wire.AppWire;
import org.gcs.api.wire.AppWire.AppErrorCode;
import org.gcs.api.wire.AppWire.AppFrame;
import org.gcs.api.wire.NodeWire.Status;
import org.gcs.api.wire.WireVersions;
import org.gcs.daemon.pipe.Pipe;
import org.gcs.daemon.wire.ProtoFrames;

/**
 * Speaks the application protocol on one local connection (see docs/PROTOCOL.md): AppHello first, then requests
 * each answered with its request id. A connection that sent ListenIntent is a control connection; one that sent
 * ConnectApp waits for the outcome and, when accepted, becomes the pipe. Malformed or oversize frames close this
 * connection only; well-formed requests with bad ids get {@code AppError{APP_BAD_REQUEST}} and the connection stays.
 *
 * <p>Before AppHello nothing of the user's is served. Its endpoint's {@link AppAdmission} decides: a connection beyond
 * the bound on those still waiting gets {@code APP_BUSY}, one without AppHello within the hello timeout gets
 * {@code APP_HELLO_TIMEOUT}, an AppHello without the right cookie (where one is required) gets {@code APP_UNAUTHORIZED};
 * each is closed, and only that connection.
 */
public final class AppHandler extends SimpleChannelInboundHandler<AppFrame> implements AppControl {
    private static final Logger LOG = System.getLogger(AppHandler.class.getName());

    private final AppBackend backend;
    private final AppAdmission admission;
    private final Executor threads;
    private Channel channel;
    /** Counted among the endpoint's connections waiting for AppHello. */
    private boolean waiting;
    private ScheduledFuture<?> helloDeadline;
    private boolean welcomed;
    private boolean listening;
    private AppBackend.Outgoing connecting;

    public AppHandler(AppBackend backend, AppAdmission admission, Executor threads) {
        this.backend = backend;
        this.admission = admission;
        this.threads = threads;
    }

    /** Runs as the connection is set up (accepted connections are active already): admit it or refuse it. */
    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        channel = ctx.channel();
        if (!admission.tryEnter()) {
            Level level = admission.firstRefusal() ? Level.WARNING : Level.DEBUG;
            fatal(ctx, AppErrorCode.APP_BUSY, admission.maxPending() + " connections to " + admission.endpoint()
                    + " are waiting for their AppHello; try again later", level);
            return;
        }
        waiting = true;
        long millis = admission.helloTimeout().toMillis();
        helloDeadline = ctx.executor().schedule(() -> {
            if (!welcomed) {
                fatal(ctx, AppErrorCode.APP_HELLO_TIMEOUT, "no AppHello within " + millis + " ms", Level.INFO);
            }
        }, millis, TimeUnit.MILLISECONDS);
    }

    /** The connection no longer waits for its AppHello: it completed it or ended. */
    private void stopWaiting() {
        if (helloDeadline != null) {
            helloDeadline.cancel(false);
        }
        if (waiting) {
            waiting = false;
            admission.leave();
        }
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, AppFrame frame) {
        if (!waiting && !welcomed) {
            return; // refused as busy or timed out: closing
        }
        if (!welcomed) {
            hello(ctx, frame);
            return;
        }
        if (connecting != null) {
            error(ctx, AppErrorCode.APP_BAD_REQUEST, "this connection waits for its connect result", 0);
            return;
        }
        switch (frame.getBodyCase()) {
            case GET_AVAILABLE_DEVICES -> devices(ctx, frame.getGetAvailableDevices());
            case GET_FRIENDS -> ctx.writeAndFlush(AppFrame.newBuilder().setFriends(FriendsPages.page(
                    frame.getGetFriends().getRequestId(), backend.friends(), frame.getGetFriends().getOffset())).build());
            case LISTEN_INTENT -> listen(ctx, frame.getListenIntent());
            case CONNECT -> connect(ctx, frame.getConnect());
            case INCOMING_DECISION -> decide(ctx, frame.getIncomingDecision());
            default -> error(ctx, AppErrorCode.APP_BAD_REQUEST, "unexpected " + frame.getBodyCase() + " from an application", 0);
        }
    }

    private void hello(ChannelHandlerContext ctx, AppFrame frame) {
        if (frame.getBodyCase() != AppFrame.BodyCase.HELLO) {
            fatal(ctx, AppErrorCode.APP_MALFORMED, "the first frame must be AppHello, not " + frame.getBodyCase(), Level.WARNING);
            return;
        }
        int version = frame.getHello().getProtocolVersion();
        if (version != WireVersions.APP_PROTOCOL) {
            fatal(ctx, AppErrorCode.APP_UNSUPPORTED_VERSION, "app protocol version " + version
                    + " is not spoken here; this daemon speaks " + WireVersions.APP_PROTOCOL, Level.WARNING);
            return;
        }
        String cookie = frame.getHello().getCookie();
        if (!admission.admits(cookie)) {
            fatal(ctx, AppErrorCode.APP_UNAUTHORIZED, (cookie.isEmpty() ? "no cookie" : "wrong cookie")
                    + ": AppHello on TCP must carry the contents of the daemon's state_dir/api.cookie (new at every"
                    + " daemon start); or connect to its Unix socket (state_dir/api.socket)", Level.WARNING);
            return;
        }
        stopWaiting();
        welcomed = true;
        ctx.writeAndFlush(AppFrame.newBuilder().setWelcome(AppWire.AppWelcome.newBuilder()
                .setProtocolVersion(WireVersions.APP_PROTOCOL)
                .setUserId(backend.userId())
                .setDeviceId(backend.deviceId())
                .setNodeConnected(backend.nodeConnected())).build());
    }

    private void devices(ChannelHandlerContext ctx, AppWire.GetAvailableDevices request) {
        UserId user;
        try {
            user = UserId.parse(request.getUserId());
        } catch (IllegalArgumentException e) {
            error(ctx, AppErrorCode.APP_BAD_REQUEST, e.getMessage(), request.getRequestId());
            return;
        }
        backend.devices(user).thenAccept(result -> ctx.writeAndFlush(AppFrame.newBuilder()
                .setAvailableDevices(AppWire.AvailableDevices.newBuilder()
                        .setRequestId(request.getRequestId())
                        .setStatus(result.status())
                        .addAllDevices(result.devices())
                        .setMessage(result.message() == null ? "" : result.message())).build()));
    }

    private void listen(ChannelHandlerContext ctx, AppWire.ListenIntent intent) {
        AppId app;
        try {
            app = AppId.of(intent.getApp());
        } catch (IllegalArgumentException e) {
            error(ctx, AppErrorCode.APP_BAD_REQUEST, e.getMessage(), intent.getRequestId());
            return;
        }
        if (intent.getPort() < 1 || intent.getPort() > 65535) {
            error(ctx, AppErrorCode.APP_BAD_REQUEST, "port out of range: " + intent.getPort(), intent.getRequestId());
            return;
        }
        String problem = backend.listen(app, intent.getPort(), this);
        AppWire.ListenResult.Builder result = AppWire.ListenResult.newBuilder().setRequestId(intent.getRequestId());
        if (problem == null) {
            listening = true;
            result.setStatus(Status.OK);
            LOG.log(Level.INFO, "app " + app + " listens on port " + intent.getPort() + " (" + describe() + ")");
        } else {
            result.setStatus(Status.FAILED).setMessage(problem);
        }
        ctx.writeAndFlush(AppFrame.newBuilder().setListenResult(result).build());
    }

    private void decide(ChannelHandlerContext ctx, AppWire.IncomingConnectionDecision decision) {
        if (!backend.decide(decision.getConnectionId().toByteArray(), decision.getAccept(), this)) {
            // withdrawn by the caller, or decided too late: the decision crossed the daemon's notice; not an error
            LOG.log(Level.INFO, "ignoring a decision for " + HexFormat.of().formatHex(decision.getConnectionId().toByteArray())
                    + ", which is no longer pending on " + describe());
        }
    }

    private void connect(ChannelHandlerContext ctx, AppWire.ConnectApp request) {
        long id = request.getRequestId();
        if (listening) {
            error(ctx, AppErrorCode.APP_BAD_REQUEST, "a control connection cannot become a pipe; connect on a new connection", id);
            return;
        }
        UserId user;
        DeviceId device;
        AppId app;
        AppId fromApp;
        ChannelType type;
        try {
            user = UserId.parse(request.getUserId());
            device = DeviceId.of(request.getDeviceId());
            app = AppId.of(request.getApp());
            fromApp = AppId.of(request.getFromApp());
            type = switch (request.getType()) {
                case DATA -> ChannelType.DATA;
                case STREAM -> ChannelType.STREAM;
                default -> throw new IllegalArgumentException("channel type must be DATA or STREAM: " + request.getType());
            };
        } catch (IllegalArgumentException e) {
            error(ctx, AppErrorCode.APP_BAD_REQUEST, e.getMessage(), id);
            return;
        }
        // Bytes after ConnectApp belong to the pipe: kept aside until the outcome, while a hang-up is still noticed.
        ctx.channel().config().setOption(ChannelOption.ALLOW_HALF_CLOSURE, true);
        ctx.pipeline().addFirst(EarlyBytes.NAME, new EarlyBytes(() -> {
            LOG.log(Level.INFO, "app connection " + describe() + " hung up before the outcome of its connect");
            ctx.close(); // channelInactive cancels the connect
        }));
        AppBackend.Outgoing attempt = backend.connect(user, device, app, fromApp, type);
        connecting = attempt;
        attempt.result().whenComplete((outcome, e) -> ctx.executor().execute(() -> {
            AppBackend.ConnectOutcome o = outcome != null ? outcome
                    : new AppBackend.ConnectOutcome(Status.FAILED, String.valueOf(e), null);
            outcome(ctx, id, attempt, o);
        }));
    }

    private void outcome(ChannelHandlerContext ctx, long requestId, AppBackend.Outgoing attempt, AppBackend.ConnectOutcome o) {
        Channel ch = ctx.channel();
        P2PChannel p2p = o.channel();
        if (!ch.isActive() || ctx.isRemoved()) {
            if (p2p != null) {
                p2p.close();
            }
            return;
        }
        AppWire.OutgoingConnectionRequestResult.Builder result = AppWire.OutgoingConnectionRequestResult.newBuilder()
                .setRequestId(requestId)
                .setConnectionId(ByteString.copyFrom(attempt.connectionId()))
                .setStatus(o.status())
                .setMessage(o.message() == null ? "" : o.message());
        if (o.status() == Status.ACCEPTED && p2p != null) {
            result.setPath(path(p2p.path()));
            ctx.writeAndFlush(AppFrame.newBuilder().setOutgoingResult(result).build());
            // The connection is the pipe from the next byte on: drop the frame codecs, keep unread bytes (those the
            // decoder holds came first, then those kept aside while the connect was under way).
            ctx.pipeline().remove(this);
            Pipe.attach(ch, p2p, HexFormat.of().formatHex(attempt.connectionId()), threads);
            ProtoFrames.remove(ch.pipeline());
            releaseEarlyBytes(ch);
            return;
        }
        connecting = null;
        ctx.writeAndFlush(AppFrame.newBuilder().setOutgoingResult(result).build());
        ch.config().setOption(ChannelOption.ALLOW_HALF_CLOSURE, false);
        releaseEarlyBytes(ch); // frames the application sent meanwhile are read as frames
        ch.config().setAutoRead(true);
    }

    private static void releaseEarlyBytes(Channel ch) {
        ChannelHandlerContext early = ch.pipeline().context(EarlyBytes.NAME);
        if (early != null) {
            ((EarlyBytes) early.handler()).release(early);
        }
    }

    /** The app-wire form of a transport path kind. */
    public static AppWire.PathKind path(PathKind kind) {
        if (kind == null) {
            return AppWire.PathKind.PATH_KIND_UNSPECIFIED;
        }
        return switch (kind) {
            case HOST -> AppWire.PathKind.HOST;
            case SERVER_REFLEXIVE -> AppWire.PathKind.SERVER_REFLEXIVE;
            case PEER_REFLEXIVE -> AppWire.PathKind.PEER_REFLEXIVE;
            case RELAYED -> AppWire.PathKind.RELAYED;
        };
    }

    private void error(ChannelHandlerContext ctx, AppErrorCode code, String message, long requestId) {
        LOG.log(Level.INFO, "app connection " + describe() + ": " + code + " " + message);
        ctx.writeAndFlush(AppFrame.newBuilder().setError(AppWire.AppError.newBuilder()
                .setCode(code).setMessage(message).setRequestId(requestId)).build());
    }

    private void fatal(ChannelHandlerContext ctx, AppErrorCode code, String message, Level level) {
        LOG.log(level, "closing app connection " + describe() + ": " + code + " " + message);
        // no more input: nothing after a fatal error is served, and the connection stops counting as waiting
        ctx.channel().config().setAutoRead(false);
        stopWaiting();
        if (ctx.channel().isActive()) {
            ctx.writeAndFlush(AppFrame.newBuilder().setError(AppWire.AppError.newBuilder()
                    .setCode(code).setMessage(message)).build()).addListener(ChannelFutureListener.CLOSE);
        } else {
            ctx.close();
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof TooLongFrameException) {
            fatal(ctx, AppErrorCode.APP_OVERSIZE, "frame longer than " + WireVersions.MAX_FRAME_BYTES + " bytes", Level.WARNING);
        } else if (cause instanceof DecoderException) {
            fatal(ctx, AppErrorCode.APP_MALFORMED, "malformed frame: "
                    + (cause.getCause() != null ? cause.getCause().getMessage() : cause.getMessage()), Level.WARNING);
        } else if (cause instanceof IOException) {
            LOG.log(Level.DEBUG, "app connection " + describe() + ": " + cause);
            ctx.close();
        } else {
            LOG.log(Level.WARNING, "app connection " + describe() + " failed, closing", cause);
            ctx.close();
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        stopWaiting();
        if (listening) {
            listening = false;
            backend.unlisten(this);
        }
        if (connecting != null) {
            connecting.cancel();
            connecting = null;
        }
        ctx.fireChannelInactive();
    }

    @Override
    public void incomingRequest(AppWire.IncomingConnectionRequest request) {
        channel.writeAndFlush(AppFrame.newBuilder().setIncomingRequest(request).build());
    }

    @Override
    public void incomingWithdrawn(AppWire.IncomingConnectionWithdrawn withdrawn) {
        channel.writeAndFlush(AppFrame.newBuilder().setIncomingWithdrawn(withdrawn).build());
    }

    @Override
    public void connectionOpened(AppWire.ConnectionOpened opened) {
        channel.writeAndFlush(AppFrame.newBuilder().setConnectionOpened(opened).build());
    }

    @Override
    public String describe() {
        if (channel == null) {
            return "?";
        }
        SocketAddress remote = channel.remoteAddress();
        // a Unix socket's client is unnamed: tell connections apart by channel id
        return remote instanceof InetSocketAddress ? remote.toString() : "unix socket connection " + channel.id().asShortText();
    }
}
