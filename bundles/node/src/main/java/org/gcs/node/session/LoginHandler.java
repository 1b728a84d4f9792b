package org.gcs.node.session;

import com.google.protobuf.ByteString;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.concurrent.ScheduledFuture;
import java.lang.System.Logger.Level;
import java.security.SecureRandom;
import java.util.List;
import java.util.function.Consumer;
import java.util.concurrent.TimeUnit;
import org.gcs.api.AuthenticationException;
import org.gcs.api.IdentityUnavailableException;
import org.gcs.api.DeviceId;
import org.gcs.api.UserId;
import org.gcs.api.auth.AuthProvider;
import org.gcs.api.auth.AuthTranscript;
import org.gcs.api.routing.Endpoint;
import org.gcs.api.routing.FriendsPolicy;
import org.gcs.api.routing.NodeAddress;
import org.gcs.api.wire.NodeWire.DetectedHandlers;
import org.gcs.api.wire.NodeWire.GetHandlersForUser;
import org.gcs.api.wire.NodeWire.Redirect;
import org.gcs.api.wire.NodeWire.Authenticate;
import org.gcs.api.wire.NodeWire.Challenge;
import org.gcs.api.wire.NodeWire.Error;
import org.gcs.api.wire.NodeWire.ErrorCode;
import org.gcs.api.wire.NodeWire.FriendsUpdate;
import org.gcs.api.wire.NodeWire.Hello;
import org.gcs.api.wire.NodeWire.NodeFrame;
import org.gcs.api.wire.NodeWire.Welcome;
import org.gcs.api.wire.WireVersions;

/**
 * The login of one daemon connection (docs/PROTOCOL.md, "Login"): any number (up to {@value #MAX_HANDLER_QUERIES}) of
 * {@code GetHandlersForUser} -> {@code DetectedHandlers}, then {@code Hello} -> (a {@code Redirect} and close if this
 * node is not one of the user's handlers) {@code Challenge} -> {@code Authenticate} -> verification by the scheme's
 * {@link AuthProvider} -> attach to the router -> {@code Welcome}. Any other frame, a failed check or the login
 * timeout closes the connection with an {@code Error}. A friends list too long for {@code Authenticate} follows it in
 * {@code FriendsUpdate} chunks: the node reads them only once the signature checked out, each one restarts the login
 * timeout, and the device is attached only with the whole list ({@link FriendsChunks}). On success the handler
 * replaces itself with a {@link SessionHandler}. Runs on the connection's event loop; router and provider answers are brought back to it.
 */
public final class LoginHandler extends ChannelInboundHandlerAdapter {
    private static final System.Logger LOG = System.getLogger(LoginHandler.class.getName());
    private static final int NONCE_BYTES = 32;
    static final int MAX_HANDLER_QUERIES = 8;
    private static final SecureRandom RANDOM = new SecureRandom();

    private enum State { AWAIT_HELLO, FINDING_HANDLERS, AWAIT_AUTHENTICATE, VERIFYING, DONE, FAILED }

    private final SessionContext context;
    private State state = State.AWAIT_HELLO;
    private ScheduledFuture<?> timeout;
    private UserId user;
    private DeviceId device;
    private byte[] publicKey;
    private byte[] nonce;
    private int handlerQueries;
    /** The login's friends list while its chunks arrive ({@code Authenticate.friends_follow}); null otherwise. */
    private FriendsChunks loginFriends;
    /** That list, once its last chunk arrived. */
    private FriendsUpdate wholeFriends;
    /** The Authenticate whose signature checked out, while the rest of its friends list is on its way. */
    private Authenticate verified;

    public LoginHandler(SessionContext context) {
        this.context = context;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        if (ctx.channel().isActive()) {
            startTimeout(ctx);
        }
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        startTimeout(ctx);
        ctx.fireChannelActive();
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        cancelTimeout();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        cancelTimeout();
        if (state != State.DONE && state != State.FAILED) {
            LOG.log(Level.DEBUG, () -> "connection " + ctx.channel().remoteAddress() + " closed during login (" + state + ")");
        }
        ctx.fireChannelInactive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof NodeFrame frame)) {
            ctx.fireChannelRead(msg);
            return;
        }
        if (Disconnect.isClosing(ctx.channel()) || state == State.FAILED) {
            return;
        }
        if (state == State.AWAIT_HELLO && frame.hasGetHandlersForUser() && handlerQueries < MAX_HANDLER_QUERIES) {
            handlerQueries++;
            onGetHandlers(ctx, frame.getGetHandlersForUser());
        } else if (state == State.AWAIT_HELLO && frame.hasHello()) {
            onHello(ctx, frame.getHello());
        } else if (state == State.AWAIT_AUTHENTICATE && frame.hasAuthenticate()) {
            onAuthenticate(ctx, frame.getAuthenticate());
        } else if (state == State.VERIFYING && loginFriends != null && wholeFriends == null && frame.hasFriendsUpdate()) {
            onLoginFriendsChunk(ctx, frame.getFriendsUpdate());
        } else {
            fail(ctx, ErrorCode.MALFORMED, frame.getBodyCase() + " before Welcome (expected "
                    + (state == State.AWAIT_HELLO ? "Hello or GetHandlersForUser" : state == State.AWAIT_AUTHENTICATE ? "Authenticate" : "nothing") + ")");
        }
    }

    private void onHello(ChannelHandlerContext ctx, Hello hello) {
        if (hello.getProtocolVersion() != WireVersions.NODE_PROTOCOL) {
            NodeFrame error = NodeFrame.newBuilder().setError(Error.newBuilder()
                    .setCode(ErrorCode.UNSUPPORTED_VERSION)
                    .setMessage("protocol version " + hello.getProtocolVersion() + " is not spoken here")
                    .addSupportedVersions(WireVersions.NODE_PROTOCOL)).build();
            failWith(ctx, error, "unsupported protocol version " + hello.getProtocolVersion());
            return;
        }
        try {
            user = UserId.parse(hello.getUserId());
            device = DeviceId.of(hello.getDeviceId());
        } catch (IllegalArgumentException e) {
            fail(ctx, ErrorCode.MALFORMED, "bad user or device id: " + e.getMessage());
            return;
        }
        if (context.authProviders().forScheme(user.scheme()).isEmpty()) {
            fail(ctx, ErrorCode.UNKNOWN_SCHEME, "no authentication provider for scheme " + user.scheme());
            return;
        }
        publicKey = hello.getPublicKey().toByteArray();
        state = State.FINDING_HANDLERS;
        handlers(ctx, user, handlers -> {
            if (state != State.FINDING_HANDLERS) {
                return;
            }
            if (handlers.stream().noneMatch(h -> h.id().equals(context.nodeId()))) {
                Redirect.Builder redirect = Redirect.newBuilder().setUserId(user.toString())
                        .setReason("node " + context.nodeId() + " is not a handler of " + user);
                handlers.forEach(h -> redirect.addHandlers(NodeFrames.address(h)));
                state = State.FAILED;
                cancelTimeout();
                context.stats().loginRedirected();
                LOG.log(Level.INFO, () -> "login of " + user + "/" + device + " redirected to " + handlers);
                Disconnect.withFrame(ctx.channel(), NodeFrame.newBuilder().setRedirect(redirect).build(),
                        "redirected to " + handlers);
                return;
            }
            challenge(ctx);
        });
    }

    private void onGetHandlers(ChannelHandlerContext ctx, GetHandlersForUser query) {
        UserId target;
        try {
            target = UserId.parse(query.getUserId());
        } catch (IllegalArgumentException e) {
            ctx.writeAndFlush(NodeFrames.requestError(ErrorCode.MALFORMED, "bad user id: " + e.getMessage(),
                    query.getRequestId()));
            return;
        }
        handlers(ctx, target, handlers -> {
            DetectedHandlers.Builder answer = DetectedHandlers.newBuilder()
                    .setRequestId(query.getRequestId()).setUserId(target.toString());
            handlers.forEach(h -> answer.addHandlers(NodeFrames.address(h)));
            ctx.writeAndFlush(NodeFrame.newBuilder().setDetectedHandlers(answer).build());
            context.stats().handlersAnswered();
            LOG.log(Level.DEBUG, () -> "handlers of " + target + " for " + ctx.channel().remoteAddress() + ": " + handlers);
        });
    }

    /** Asks the router for {@code target}'s handlers and continues on the event loop; a failure is UNAVAILABLE. */
    private void handlers(ChannelHandlerContext ctx, UserId target, Consumer<List<NodeAddress>> then) {
        LocalDevices.call(() -> context.router().handlers(target)).whenComplete((handlers, failure) -> {
            Runnable step = () -> {
                if (state == State.FAILED || !ctx.channel().isActive() || Disconnect.isClosing(ctx.channel())) {
                    return;
                }
                if (failure != null || handlers == null || handlers.isEmpty()) {
                    fail(ctx, ErrorCode.UNAVAILABLE, "the handlers of " + target + " are not known now"
                            + (failure != null ? ": " + Statuses.describe(failure) : ""));
                    return;
                }
                then.accept(handlers);
            };
            if (ctx.executor().inEventLoop()) {
                step.run();
            } else {
                ctx.executor().execute(step);
            }
        });
    }

    private void challenge(ChannelHandlerContext ctx) {
        nonce = new byte[NONCE_BYTES];
        RANDOM.nextBytes(nonce);
        state = State.AWAIT_AUTHENTICATE;
        ctx.writeAndFlush(NodeFrame.newBuilder().setChallenge(Challenge.newBuilder()
                .setNodeId(ByteString.copyFrom(context.nodeId().toBytes()))
                .setNonce(ByteString.copyFrom(nonce))).build());
        LOG.log(Level.DEBUG, () -> "hello from " + user + "/" + device + " " + ctx.channel().remoteAddress() + ": challenge sent");
    }

    private void onAuthenticate(ChannelHandlerContext ctx, Authenticate authenticate) {
        AuthProvider provider = context.authProviders().forScheme(user.scheme()).orElse(null);
        if (provider == null) {
            fail(ctx, ErrorCode.UNKNOWN_SCHEME, "no authentication provider for scheme " + user.scheme());
            return;
        }
        if (authenticate.getFriendsFollow() && !startLoginFriends(ctx, authenticate)) {
            return;
        }
        state = State.VERIFYING;
        byte[] transcript = AuthTranscript.nodeLogin(context.nodeId(), nonce, user, device);
        LocalDevices.call(() -> provider.verify(user, publicKey, transcript, authenticate.getSignature().toByteArray()))
                .whenComplete((ok, failure) -> ctx.executor().execute(() -> afterVerification(ctx, authenticate, failure)));
    }

    /**
     * Begins a friends list that comes in chunks. Reading pauses until the signature checked out, so a connection that
     * has not proven who it is makes the node hold no more than the frames already read.
     */
    private boolean startLoginFriends(ChannelHandlerContext ctx, Authenticate authenticate) {
        loginFriends = new FriendsChunks();
        if (!addLoginFriends(ctx, FriendsUpdate.newBuilder().setUploadFriends(authenticate.getUploadFriends())
                .addAllFriends(authenticate.getFriendsList()).setFriendsFollow(true).build())) {
            return false;
        }
        ctx.channel().config().setAutoRead(false);
        return true;
    }

    private void onLoginFriendsChunk(ChannelHandlerContext ctx, FriendsUpdate chunk) {
        if (addLoginFriends(ctx, chunk) && verified != null) {
            restartTimeout(ctx); // the list is still arriving from a device that proved who it is
            attachWhenWhole(ctx);
        }
    }

    private boolean addLoginFriends(ChannelHandlerContext ctx, FriendsUpdate chunk) {
        try {
            loginFriends.add(chunk).ifPresent(whole -> wholeFriends = whole);
            return true;
        } catch (FriendsChunks.Refused e) {
            fail(ctx, e.code(), e.getMessage());
            return false;
        }
    }

    /** A login whose friends list comes in chunks waits, verified, for the last one; any other goes on to the verdict. */
    private void afterVerification(ChannelHandlerContext ctx, Authenticate authenticate, Throwable failure) {
        if (failure != null || loginFriends == null) {
            onVerdict(ctx, authenticate, failure);
            return;
        }
        if (state != State.VERIFYING || !ctx.channel().isActive() || Disconnect.isClosing(ctx.channel())) {
            return;
        }
        verified = authenticate;
        ctx.channel().config().setAutoRead(true);
        attachWhenWhole(ctx);
    }

    private void attachWhenWhole(ChannelHandlerContext ctx) {
        if (verified == null || wholeFriends == null) {
            return;
        }
        Authenticate whole = verified.toBuilder().clearFriends().addAllFriends(wholeFriends.getFriendsList())
                .setFriendsFollow(false).build();
        loginFriends = null;
        wholeFriends = null;
        verified = null;
        onVerdict(ctx, whole, null);
    }

    private void onVerdict(ChannelHandlerContext ctx, Authenticate authenticate, Throwable failure) {
        if (state != State.VERIFYING || !ctx.channel().isActive()) {
            return;
        }
        if (failure != null) {
            Throwable cause = Statuses.unwrap(failure);
            String reason = cause instanceof AuthenticationException ? cause.getMessage()
                    : "verification failed: " + Statuses.describe(cause);
            // an identity that cannot be checked now is not a wrong one: the device tries again later
            fail(ctx, cause instanceof IdentityUnavailableException ? ErrorCode.UNAVAILABLE : ErrorCode.AUTH_FAILED, reason);
            return;
        }
        String limited = context.devices().refuseLogin(user, device);
        if (limited != null) {
            context.stats().limited();
            fail(ctx, ErrorCode.LIMIT_EXCEEDED, limited);
            return;
        }
        FriendsPolicy friends = FriendsPolicy.of(authenticate.getUploadFriends(), authenticate.getFriendsList());
        DeviceSession session = new DeviceSession(new Endpoint(user, device), ctx.channel(), friends, context,
                publicKey);
        context.devices().login(session)
                .whenComplete((ok, attachFailure) -> ctx.executor().execute(() -> onAttached(ctx, session, attachFailure)));
    }

    private void onAttached(ChannelHandlerContext ctx, DeviceSession session, Throwable failure) {
        if (failure != null) {
            context.devices().logout(session);
            fail(ctx, ErrorCode.INTERNAL, "router did not accept " + user + ": " + Statuses.describe(failure));
            return;
        }
        if (state != State.VERIFYING || !ctx.channel().isActive() || Disconnect.isClosing(ctx.channel())) {
            context.devices().logout(session);
            return;
        }
        if (context.authProviders().forScheme(user.scheme()).isEmpty()) { // its provider went away meanwhile
            context.devices().logout(session);
            fail(ctx, ErrorCode.UNKNOWN_SCHEME, "no authentication provider for scheme " + user.scheme());
            return;
        }
        state = State.DONE;
        cancelTimeout();
        context.stats().loginOk();
        LOG.log(Level.INFO, () -> "login ok " + session + " friends " + session.friends());
        ctx.pipeline().replace(this, SessionHandler.NAME, new SessionHandler(context, session));
        ctx.channel().writeAndFlush(NodeFrame.newBuilder().setWelcome(Welcome.newBuilder()
                .setNodeId(ByteString.copyFrom(context.nodeId().toBytes()))
                .addAllIceServers(context.iceServers().forUser(user))).build());
        session.welcomed();
    }

    private void startTimeout(ChannelHandlerContext ctx) {
        if (timeout == null && state != State.DONE) {
            long millis = context.loginTimeout().toMillis();
            timeout = ctx.executor().schedule(() -> {
                if (state != State.DONE && state != State.FAILED) {
                    fail(ctx, ErrorCode.AUTH_FAILED, "login not finished within " + millis + " ms");
                }
            }, millis, TimeUnit.MILLISECONDS);
        }
    }

    private void restartTimeout(ChannelHandlerContext ctx) {
        cancelTimeout();
        timeout = null;
        startTimeout(ctx);
    }

    private void cancelTimeout() {
        if (timeout != null) {
            timeout.cancel(false);
        }
    }

    private void fail(ChannelHandlerContext ctx, ErrorCode code, String reason) {
        failWith(ctx, NodeFrames.error(code, reason), code + " " + reason);
    }

    private void failWith(ChannelHandlerContext ctx, NodeFrame error, String reason) {
        state = State.FAILED;
        cancelTimeout();
        context.stats().loginFailed();
        String who = user == null ? "" : user + "/" + device + " ";
        LOG.log(Level.INFO, () -> "login failed " + who + ctx.channel().remoteAddress() + ": " + reason);
        Disconnect.withFrame(ctx.channel(), error, reason);
    }
}
