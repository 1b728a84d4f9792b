package org.gcs.daemon.node;

import com.google.protobuf.ByteString;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslProvider;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.concurrent.ScheduledFuture;
import java.lang.System.Logger;
import java.nio.file.Path;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import javax.net.ssl.SSLException;
import org.gcs.api.DeviceId;
import org.gcs.api.NodeId;
import org.gcs.api.UserId;
import org.gcs.api.auth.AuthTranscript;
import org.gcs.api.auth.UserCredential;
import org.gcs.api.routing.NodeAddress;
import org.gcs.api.transport.IceServer;
import org.gcs.api.wire.NodeWire;
import org.gcs.api.wire.NodeWire.NodeFrame;
import org.gcs.api.wire.NodeWire.Status;
import org.gcs.api.wire.WireVersions;
import org.gcs.daemon.wire.ProtoFrames;

/**
 * The daemon's session with its handler node: finds the user's handlers (asks a bootstrap node
 * {@code GetHandlersForUser}, or uses the handlers remembered from an earlier run), connects over TLS 1.3 to the first
 * of them pinning its key to the id the lookup returned, logs in ({@code Hello -> Challenge -> Authenticate ->
 * Welcome}; a {@code Redirect} sends it to other handlers), pings, and reconnects whenever the connection drops or the
 * login fails: at once to the next handler (failover), with {@link Backoff} once every known node has failed in a
 * row. Requests fail at once while no node is reachable; pending requests fail when the connection drops.
 *
 * <pre>{@code
 * NodeClient node = new NodeClient(settings, credential, friendsSource, listener, eventLoopGroup);
 * node.start();
 * node.devices(UserId.parse("pk:abc"), Duration.ofSeconds(10)).thenAccept(answer -> ...);
 * }</pre>
 */
public final class NodeClient implements AutoCloseable {
    private static final Logger LOG = System.getLogger(NodeClient.class.getName());
    /** The longest a move to other handlers waits for connects being set up to end. */
    static final Duration MOVE_WAIT = Duration.ofSeconds(60);

    /**
     * Where the nodes are and how the session behaves.
     *
     * @param bootstrap nodes to ask for the user's handlers (each pinned to its id), tried in turn
     * @param handlersFile where the user's handlers are remembered across restarts; {@code null} to not remember
     * @param loginTimeout the longest a login may take from TCP connect to Welcome
     * @param pingInterval how often to Ping after Welcome; a node silent for three intervals is dropped
     */
    public record Settings(List<NodeAddress> bootstrap, Path handlersFile, DeviceId device, Duration loginTimeout,
            Duration pingInterval, Duration initialBackoff, Duration maxBackoff) {
        public Settings {
            bootstrap = List.copyOf(bootstrap);
            if (bootstrap.isEmpty()) {
                throw new IllegalArgumentException("at least one bootstrap node is needed");
            }
            Objects.requireNonNull(device, "device");
        }

        /** Protocol defaults: 10 s login, 15 s pings, backoff 0.5 s doubling to 30 s. */
        public static Settings of(List<NodeAddress> bootstrap, Path handlersFile, DeviceId device) {
            return new Settings(bootstrap, handlersFile, device, Duration.ofSeconds(10), Duration.ofSeconds(15),
                    Duration.ofMillis(500), Duration.ofSeconds(30));
        }
    }

    /**
     * What the daemon sends in Authenticate and FriendsUpdate: at most {@link WireVersions#MAX_FRIENDS} friends, in
     * chunks when they do not fit one frame ({@link FriendsFrames}).
     */
    public record FriendsUpload(boolean upload, List<String> friends) {
        public FriendsUpload {
            friends = upload ? List.copyOf(friends) : List.of();
            if (friends.size() > WireVersions.MAX_FRIENDS) {
                throw new IllegalArgumentException("a node takes at most " + WireVersions.MAX_FRIENDS + " friends, not "
                        + friends.size());
            }
        }
    }

    /** Hears of the session's life and of the frames other daemons caused. Called on a Netty event loop. */
    public interface Listener {
        /** Welcome arrived: the daemon is logged in. */
        default void connected(List<IceServer> iceServers) {
        }

        /** A logged-in session ended, or a login attempt failed ({@code wasConnected} false). */
        default void disconnected(String reason, boolean wasConnected) {
        }

        /** A ConnectRequest, ConnectResult or Signal from the node. */
        void frame(NodeFrame frame);

        /** How many connects are being set up now; a move to other handler nodes waits until there are none. */
        default int connectsInFlight() {
            return 0;
        }
    }

    /** First and longest wait after being replaced by another daemon of the same user and device. */
    static final java.time.Duration REPLACED_INITIAL = java.time.Duration.ofSeconds(30);
    static final java.time.Duration REPLACED_MAX = java.time.Duration.ofMinutes(10);

    private final Settings settings;
    private final UserCredential credential;
    private final Supplier<FriendsUpload> friends;
    private final Listener listener;
    private final EventLoopGroup group;
    private final Map<NodeId, SslContext> ssl = new ConcurrentHashMap<>();
    private final Backoff backoff;
    /**
     * Delays after this daemon was replaced by another daemon of the same user and device: long, growing, and reset
     * only by a session that was not replaced, so two such daemons do not evict each other in a loop.
     */
    private final Backoff replacedBackoff = new Backoff(REPLACED_INITIAL, REPLACED_MAX, ThreadLocalRandom.current());
    /** Why the last session ended because another daemon took this user and device, or null. */
    private volatile String replacedBy;
    private volatile long readySinceNanos;
    private final HandlerMemory handlers;
    private final AtomicLong requestIds = new AtomicLong();
    private final Map<Long, CompletableFuture<NodeWire.DevicesAnswer>> pending = new ConcurrentHashMap<>();
    private volatile Channel channel;
    private volatile boolean ready;
    private volatile List<IceServer> iceServers = List.of();
    private volatile boolean closed;
    private volatile HandlerMemory.Attempt target;
    private ScheduledFuture<?> reconnect;


    public NodeClient(Settings settings, UserCredential credential, Supplier<FriendsUpload> friends, Listener listener,
            EventLoopGroup group) {
        this.settings = settings;
        this.credential = credential;
        this.friends = friends;
        this.listener = listener;
        this.group = group;
        this.backoff = new Backoff(settings.initialBackoff(), settings.maxBackoff(), ThreadLocalRandom.current());
        this.handlers = new HandlerMemory(settings.bootstrap(), settings.handlersFile());
    }

    /** A TLS 1.3 client context that trusts exactly the node {@code id}. */
    private SslContext ssl(NodeId id) {
        return ssl.computeIfAbsent(id, pinned -> {
            try {
                return SslContextBuilder.forClient()
                        .sslProvider(SslProvider.JDK)
                        .protocols("TLSv1.3")
                        .trustManager(new PinnedTrustManager(pinned))
                        .endpointIdentificationAlgorithm(null)
                        .build();
            } catch (SSLException e) {
                throw new IllegalStateException("cannot set up TLS 1.3: " + e.getMessage(), e);
            }
        });
    }

    /** The node of the current session, or of the last attempt. */
    public NodeAddress node() {
        HandlerMemory.Attempt t = target;
        return t == null ? null : t.node();
    }

    /** The user's handlers as last learned (empty until a bootstrap node or a Redirect named them). */
    public List<NodeAddress> knownHandlers() {
        return handlers.handlers();
    }

    /** Starts connecting; returns at once. */
    public void start() {
        connect();
    }

    /** True between Welcome and the end of that session. */
    public boolean connected() {
        return ready;
    }

    /** The STUN/TURN servers of the last Welcome. */
    public List<IceServer> iceServers() {
        return iceServers;
    }

    /** Sends {@code frame} if logged in; false otherwise (nothing is queued for later). */
    public boolean send(NodeFrame frame) {
        Channel ch = channel;
        if (!ready || ch == null || !ch.isActive()) {
            return false;
        }
        ch.writeAndFlush(frame).addListener(f -> {
            if (!f.isSuccess()) {
                LOG.log(Level.DEBUG, "send to node failed: " + f.cause());
            }
        });
        return true;
    }

    /**
     * Replaces the node's copy of the friends list, without reconnecting, with what the friends supplier gives when the
     * frames are written; false if not logged in (the next login uploads the list anyway).
     */
    public boolean sendFriendsUpdate() {
        Channel ch = channel;
        if (!ready || ch == null || !ch.isActive()) {
            return false;
        }
        ch.eventLoop().execute(() -> writeFriendsUpdate(ch, friends.get()));
        return true;
    }

    /** On the channel's loop, in one go: the chunks of two lists never interleave. */
    private static void writeFriendsUpdate(Channel ch, FriendsUpload upload) {
        for (NodeFrame frame : FriendsFrames.update(upload)) {
            ch.write(frame).addListener(f -> {
                if (!f.isSuccess()) {
                    LOG.log(Level.DEBUG, "friends update to node failed: " + f.cause());
                }
            });
        }
        ch.flush();
    }

    /**
     * Asks which devices of {@code user} are online. Never fails: problems come back as an answer with status
     * {@code FAILED} (not connected, connection lost, node error) or {@code TIMEOUT}.
     */
    public CompletableFuture<NodeWire.DevicesAnswer> devices(UserId user, Duration timeout) {
        long id = requestIds.incrementAndGet();
        CompletableFuture<NodeWire.DevicesAnswer> answer = new CompletableFuture<>();
        pending.put(id, answer);
        answer.whenComplete((a, e) -> pending.remove(id));
        boolean sent = send(NodeFrame.newBuilder().setDevicesQuery(NodeWire.DevicesQuery.newBuilder()
                .setRequestId(id).setUserId(user.toString())).build());
        if (!sent) {
            answer.complete(failed(id, Status.FAILED));
        } else {
            answer.completeOnTimeout(failed(id, Status.TIMEOUT), timeout.toMillis(), TimeUnit.MILLISECONDS);
        }
        return answer;
    }

    private static NodeWire.DevicesAnswer failed(long id, Status status) {
        return NodeWire.DevicesAnswer.newBuilder().setRequestId(id).setStatus(status).build();
    }

    private void connect() {
        if (closed) {
            return;
        }
        HandlerMemory.Attempt next = handlers.next();
        target = next;
        NodeAddress node = next.node();
        LOG.log(Level.INFO, "connecting to node " + target() + " (id " + node.id() + ")"
                + (next.findHandlers() ? " to find the handlers" : ""));
        Bootstrap b = new Bootstrap()
                .group(group)
                .channel(NioSocketChannel.class)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) settings.loginTimeout().toMillis())
                .option(ChannelOption.TCP_NODELAY, true)
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast("tls", ssl(node.id()).newHandler(ch.alloc(), node.host(), node.port()));
                        long ping = settings.pingInterval().toMillis();
                        ch.pipeline().addLast("idle", new IdleStateHandler(3 * ping, 0, 0, TimeUnit.MILLISECONDS));
                        ProtoFrames.install(ch.pipeline(), NodeFrame.parser());
                        ch.pipeline().addLast("session", new Session(next));
                    }
                });
        ChannelFuture f = b.connect(node.host(), node.port());
        f.addListener(done -> {
            if (!done.isSuccess()) {
                handlers.failed(node);
                loginFailed("cannot connect to node " + target() + ": " + rootMessage(done.cause()));
                scheduleReconnect();
                return;
            }
            Channel ch = f.channel();
            channel = ch;
            if (closed) {
                ch.close();
            }
            ch.closeFuture().addListener(x -> {
                if (channel == ch) {
                    channel = null;
                }
                scheduleReconnect();
            });
        });
    }

    private synchronized void scheduleReconnect() {
        if (closed) {
            return;
        }
        String replaced = replacedBy;
        long delay = replaced != null ? replacedBackoff.nextDelayMillis()
                : handlers.worthAnImmediateTry() ? 0 : backoff.nextDelayMillis();
        if (replaced != null) {
            LOG.log(Level.WARNING, replaced + "; trying again in " + delay / 1000 + " s");
        }
        LOG.log(Level.INFO, "reconnecting to node " + target() + " in " + delay + " ms");
        reconnect = group.next().schedule(this::connect, delay, TimeUnit.MILLISECONDS);
    }

    private void loginFailed(String reason) {
        LOG.log(Level.WARNING, reason);
        listener.disconnected(reason, false);
    }

    private String target() {
        HandlerMemory.Attempt t = target;
        return t == null ? "(none)" : t.node().host() + ":" + t.node().port();
    }

    private static List<NodeAddress> addresses(List<NodeWire.NodeAddress> wire) {
        List<NodeAddress> out = new ArrayList<>();
        for (NodeWire.NodeAddress a : wire) {
            try {
                out.add(new NodeAddress(NodeId.of(a.getNodeId().toByteArray()), a.getHost(), a.getPort()));
            } catch (IllegalArgumentException e) {
                LOG.log(Level.WARNING, "ignoring a malformed node address from the node: " + e.getMessage());
            }
        }
        return out;
    }

    private static String rootMessage(Throwable t) {
        Throwable c = t;
        while (c.getCause() != null && c.getCause() != c) {
            c = c.getCause();
        }
        return c.getMessage() == null ? c.toString() : c.getMessage();
    }

    /** Stops reconnecting, closes the session and fails pending requests. */
    @Override
    public void close() {
        closed = true;
        synchronized (this) {
            if (reconnect != null) {
                reconnect.cancel(false);
            }
        }
        Channel ch = channel;
        if (ch != null) {
            ch.close().awaitUninterruptibly(2, TimeUnit.SECONDS);
        }
        failPending();
    }

    private void failPending() {
        for (Long id : List.copyOf(pending.keySet())) {
            CompletableFuture<NodeWire.DevicesAnswer> f = pending.remove(id);
            if (f != null) {
                f.complete(failed(id, Status.FAILED));
            }
        }
    }

    private enum State { TLS, FINDING_HANDLERS, HELLO_SENT, AUTH_SENT, READY }

    /** One TCP connection's login and dispatch. */
    private final class Session extends SimpleChannelInboundHandler<NodeFrame> {
        private final HandlerMemory.Attempt attempt;
        private final NodeId nodeId;
        private State state = State.TLS;
        private ScheduledFuture<?> mover;
        /** This connection ends because the daemon moves to another node, not because something failed. */
        private boolean moving;
        private String closeReason = "connection closed";
        private ScheduledFuture<?> loginTimer;
        /** The friends list sent with Authenticate; if it changed by Welcome, the change follows at once. */
        private FriendsUpload uploadedAtLogin;
        private ScheduledFuture<?> pinger;
        private long pingNonce;

        Session(HandlerMemory.Attempt attempt) {
            this.attempt = attempt;
            this.nodeId = attempt.node().id();
        }

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            startLoginTimer(ctx);
            ctx.pipeline().get(SslHandler.class).handshakeFuture().addListener(hs -> {
                if (!hs.isSuccess()) {
                    closeWith(ctx, "TLS handshake with node " + target() + " failed: " + rootMessage(hs.cause()));
                    return;
                }
                if (attempt.findHandlers()) {
                    state = State.FINDING_HANDLERS;
                    ctx.writeAndFlush(NodeFrame.newBuilder().setGetHandlersForUser(NodeWire.GetHandlersForUser.newBuilder()
                            .setRequestId(1).setUserId(credential.user().toString())).build());
                } else {
                    hello(ctx);
                }
            });
            ctx.fireChannelActive();
        }

        private void startLoginTimer(ChannelHandlerContext ctx) {
            if (loginTimer != null) {
                loginTimer.cancel(false);
            }
            loginTimer = ctx.executor().schedule(() -> {
                closeWith(ctx, "login to node " + target() + " did not finish within " + settings.loginTimeout().toSeconds() + " s");
            }, settings.loginTimeout().toMillis(), TimeUnit.MILLISECONDS);
        }

        private void hello(ChannelHandlerContext ctx) {
            state = State.HELLO_SENT;
            ctx.writeAndFlush(NodeFrame.newBuilder().setHello(NodeWire.Hello.newBuilder()
                    .setProtocolVersion(WireVersions.NODE_PROTOCOL)
                    .setUserId(credential.user().toString())
                    .setDeviceId(settings.device().name())
                    .setPublicKey(ByteString.copyFrom(credential.publicKey()))).build());
        }

        private void onDetectedHandlers(ChannelHandlerContext ctx, NodeFrame frame) {
            if (frame.getBodyCase() != NodeFrame.BodyCase.DETECTED_HANDLERS) {
                closeWith(ctx, "node " + target() + " sent " + frame.getBodyCase() + " instead of DetectedHandlers");
                return;
            }
            List<NodeAddress> found = addresses(frame.getDetectedHandlers().getHandlersList());
            if (found.isEmpty()) {
                closeWith(ctx, "node " + target() + " named no handlers for " + credential.user());
                return;
            }
            handlers.learned(found);
            if (found.get(0).id().equals(nodeId)) {
                LOG.log(Level.INFO, "node " + target() + " is the first handler of " + credential.user() + ": logging in");
                hello(ctx);
            } else {
                LOG.log(Level.INFO, "handlers of " + credential.user() + " are " + found + ": moving to the first");
                moving = true;
                closeWith(ctx, "moving to handler " + found.get(0));
            }
        }

        private void onRedirect(ChannelHandlerContext ctx, NodeWire.Redirect redirect) {
            List<NodeAddress> found = addresses(redirect.getHandlersList());
            if (found.isEmpty()) {
                closeWith(ctx, "node " + target() + " redirected to no node: " + redirect.getReason());
                return;
            }
            handlers.learned(found);
            if (state != State.READY) {
                LOG.log(Level.INFO, "node " + target() + " redirected to " + found + ": " + redirect.getReason());
                moving = true;
                closeWith(ctx, "redirected to " + found.get(0));
                return;
            }
            LOG.log(Level.INFO, "node " + target() + " asks to move to " + found + " (" + redirect.getReason()
                    + "); moving once no connect is being set up");
            if (mover == null) {
                long started = System.nanoTime();
                mover = ctx.executor().scheduleAtFixedRate(() -> {
                    boolean waitedLongEnough = System.nanoTime() - started > MOVE_WAIT.toNanos();
                    if (listener.connectsInFlight() == 0 || waitedLongEnough) {
                        mover.cancel(false);
                        moving = true;
                        closeWith(ctx, "moving to handler " + handlers.handlers().get(0));
                    }
                }, 0, 200, TimeUnit.MILLISECONDS);
            }
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, NodeFrame frame) {
            if (frame.getBodyCase() == NodeFrame.BodyCase.REDIRECT) {
                onRedirect(ctx, frame.getRedirect());
                return;
            }
            if (frame.getBodyCase() == NodeFrame.BodyCase.ERROR) {
                NodeWire.Error error = frame.getError();
                if (state != State.READY) {
                    closeWith(ctx, "node " + target() + " refused login: " + error.getCode() + " " + error.getMessage()
                            + (error.getSupportedVersionsCount() > 0 ? " (node speaks " + error.getSupportedVersionsList() + ")" : ""));
                    return;
                }
                if (error.getCode() == NodeWire.ErrorCode.REPLACED) {
                    replacedBy = "another daemon logged in as " + credential.user() + " device " + settings.device()
                            + " (node " + target() + ": " + error.getMessage() + "); this one steps back";
                    closeWith(ctx, replacedBy);
                    return;
                }
                CompletableFuture<NodeWire.DevicesAnswer> f = error.getRequestId() == 0 ? null : pending.remove(error.getRequestId());
                if (f != null) {
                    f.complete(failed(error.getRequestId(), Status.FAILED));
                    LOG.log(Level.INFO, "node answered request " + error.getRequestId() + " with " + error.getCode() + " " + error.getMessage());
                } else {
                    closeReason = "node error " + error.getCode() + " " + error.getMessage();
                    LOG.log(Level.WARNING, "node " + target() + ": " + closeReason);
                }
                return;
            }
            switch (state) {
                case FINDING_HANDLERS -> onDetectedHandlers(ctx, frame);
                case TLS, HELLO_SENT -> onChallenge(ctx, frame);
                case AUTH_SENT -> onWelcome(ctx, frame);
                case READY -> dispatch(ctx, frame);
                default -> throw new IllegalStateException(state.toString());
            }
        }

        private void onChallenge(ChannelHandlerContext ctx, NodeFrame frame) {
            if (state != State.HELLO_SENT || frame.getBodyCase() != NodeFrame.BodyCase.CHALLENGE) {
                closeWith(ctx, "node " + target() + " sent " + frame.getBodyCase() + " instead of Challenge");
                return;
            }
            NodeWire.Challenge challenge = frame.getChallenge();
            byte[] claimed = challenge.getNodeId().toByteArray();
            if (!java.util.Arrays.equals(claimed, nodeId.toBytes())) {
                closeWith(ctx, "node " + target() + " challenged with node id "
                        + java.util.HexFormat.of().formatHex(claimed) + " but node_id is pinned to " + nodeId);
                return;
            }
            if (challenge.getNonce().size() < 16) {
                closeWith(ctx, "node " + target() + " sent a challenge nonce of only " + challenge.getNonce().size() + " bytes");
                return;
            }
            byte[] transcript = AuthTranscript.nodeLogin(nodeId, challenge.getNonce().toByteArray(),
                    credential.user(), settings.device());
            FriendsUpload upload = friends.get();
            uploadedAtLogin = upload;
            state = State.AUTH_SENT;
            List<NodeFrame> frames = FriendsFrames.login(credential.sign(transcript), upload);
            for (NodeFrame f : frames) {
                ctx.write(f).addListener(written -> {
                    // a long list takes a while on a slow link: the login is late only if the node stops reading
                    if (written.isSuccess() && frames.size() > 1 && state == State.AUTH_SENT) {
                        startLoginTimer(ctx);
                    }
                });
            }
            ctx.flush();
        }

        private void onWelcome(ChannelHandlerContext ctx, NodeFrame frame) {
            if (frame.getBodyCase() != NodeFrame.BodyCase.WELCOME) {
                closeWith(ctx, "node " + target() + " sent " + frame.getBodyCase() + " instead of Welcome");
                return;
            }
            List<IceServer> servers = iceServersOf(frame.getWelcome().getIceServersList());
            loginTimer.cancel(false);
            state = State.READY;
            iceServers = List.copyOf(servers);
            ready = true;
            backoff.reset();
            replacedBy = null;
            readySinceNanos = System.nanoTime();
            handlers.loggedIn(attempt.node());
            closeReason = "connection closed";
            LOG.log(Level.INFO, "logged in to node " + nodeId + " at " + target() + " as " + credential.user()
                    + " device " + settings.device() + " (ICE servers: " + servers + ")");
            long ping = settings.pingInterval().toMillis();
            pinger = ctx.executor().scheduleAtFixedRate(() -> ctx.writeAndFlush(NodeFrame.newBuilder()
                    .setPing(NodeWire.Ping.newBuilder().setNonce(++pingNonce)).build()), ping, ping, TimeUnit.MILLISECONDS);
            FriendsUpload now = friends.get();
            if (!now.equals(uploadedAtLogin)) {
                writeFriendsUpdate(ctx.channel(), now);
            }
            uploadedAtLogin = null;
            listener.connected(iceServers);
        }

        private List<IceServer> iceServersOf(List<NodeWire.IceServer> wire) {
            List<IceServer> servers = new ArrayList<>();
            for (NodeWire.IceServer s : wire) {
                try {
                    IceServer.Kind kind = IceServer.Kind.valueOf(s.getKind().toUpperCase(java.util.Locale.ROOT));
                    servers.add(new IceServer(kind, s.getHost(), s.getPort(), s.getUsername(), s.getPassword()));
                } catch (IllegalArgumentException e) {
                    LOG.log(Level.WARNING, "ignoring ICE server " + s.getKind() + " " + s.getHost() + ":" + s.getPort() + ": " + e.getMessage());
                }
            }
            return List.copyOf(servers);
        }

        private void dispatch(ChannelHandlerContext ctx, NodeFrame frame) {
            switch (frame.getBodyCase()) {
                case ICE_SERVERS_UPDATE -> {
                    // fresh TURN credentials: every ICE session started from now on uses them
                    iceServers = iceServersOf(frame.getIceServersUpdate().getIceServersList());
                    LOG.log(Level.INFO, "node " + target() + " renewed the ICE servers' credentials: " + iceServers);
                }
                case DEVICES_ANSWER -> {
                    CompletableFuture<NodeWire.DevicesAnswer> f = pending.remove(frame.getDevicesAnswer().getRequestId());
                    if (f != null) {
                        f.complete(frame.getDevicesAnswer());
                    }
                }
                case PING -> ctx.writeAndFlush(NodeFrame.newBuilder()
                        .setPong(NodeWire.Pong.newBuilder().setNonce(frame.getPing().getNonce())).build());
                case PONG -> { }
                case CONNECT_REQUEST, CONNECT_RESULT, SIGNAL, CONNECT_CANCEL -> {
                    try {
                        listener.frame(frame);
                    } catch (RuntimeException e) {
                        LOG.log(Level.ERROR, "handling " + frame.getBodyCase() + " from the node failed", e);
                    }
                }
                default -> LOG.log(Level.WARNING, "ignoring unexpected " + frame.getBodyCase() + " from node " + target());
            }
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            if (evt instanceof IdleStateEvent) {
                closeWith(ctx, "node " + target() + " silent for " + 3 * settings.pingInterval().toSeconds() + " s");
            } else {
                ctx.fireUserEventTriggered(evt);
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            if (cause instanceof TooLongFrameException) {
                closeWith(ctx, "node " + target() + " sent an oversize frame: " + cause.getMessage());
            } else if (cause instanceof io.netty.handler.codec.DecoderException && !(cause.getCause() instanceof SSLException)) {
                closeWith(ctx, "node " + target() + " sent a malformed frame: " + rootMessage(cause));
            } else {
                closeWith(ctx, "connection to node " + target() + " failed: " + rootMessage(cause));
            }
        }

        private void closeWith(ChannelHandlerContext ctx, String reason) {
            if (ctx.channel().isActive()) {
                closeReason = reason;
                if (state != State.READY && !moving) {
                    LOG.log(Level.WARNING, reason);
                }
                ctx.close();
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            if (loginTimer != null) {
                loginTimer.cancel(false);
            }
            if (pinger != null) {
                pinger.cancel(false);
            }
            if (mover != null) {
                mover.cancel(false);
            }
            boolean wasReady = state == State.READY;
            if (wasReady && replacedBy == null && System.nanoTime() - readySinceNanos > REPLACED_MAX.toNanos()) {
                replacedBackoff.reset(); // a long session nobody took: the next replacement starts the waits anew
            }
            if (!wasReady && !moving) {
                handlers.failed(attempt.node());
            }
            if (wasReady) {
                ready = false;
                LOG.log(Level.WARNING, "lost node " + target() + ": " + closeReason);
                failPending();
            }
            if (wasReady || !moving) {
                listener.disconnected(closeReason, wasReady);
            }
            ctx.fireChannelInactive();
        }
    }
}
