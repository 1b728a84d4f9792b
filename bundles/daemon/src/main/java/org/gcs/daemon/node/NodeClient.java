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
import org.gcs.api.transport.IceServer;
import org.gcs.api.wire.NodeWire;
import org.gcs.api.wire.NodeWire.NodeFrame;
import org.gcs.api.wire.NodeWire.Status;
import org.gcs.api.wire.WireVersions;
import org.gcs.daemon.wire.ProtoFrames;

/**
 * The daemon's session with its node: connects over TLS 1.3 to a node whose key is pinned, logs in
 * ({@code Hello -> Challenge -> Authenticate -> Welcome}), pings, and reconnects with {@link Backoff} whenever the
 * connection drops or the login fails. Requests fail at once while the node is unreachable; pending requests fail when
 * the connection drops.
 *
 * <pre>{@code
 * NodeClient node = new NodeClient(settings, credential, friendsSource, listener, eventLoopGroup);
 * node.start();
 * node.devices(UserId.parse("pk:abc"), Duration.ofSeconds(10)).thenAccept(answer -> ...);
 * }</pre>
 */
public final class NodeClient implements AutoCloseable {
    private static final Logger LOG = System.getLogger(NodeClient.class.getName());

    /**
     * Where the node is and how the session behaves.
     *
     * @param loginTimeout the longest a login may take from TCP connect to Welcome
     * @param pingInterval how often to Ping after Welcome; a node silent for three intervals is dropped
     */
    public record Settings(String host, int port, NodeId nodeId, DeviceId device, Duration loginTimeout,
            Duration pingInterval, Duration initialBackoff, Duration maxBackoff) {
        public Settings {
            Objects.requireNonNull(host, "host");
            Objects.requireNonNull(nodeId, "nodeId");
            Objects.requireNonNull(device, "device");
            if (port < 1 || port > 65535) {
                throw new IllegalArgumentException("node port out of range: " + port);
            }
        }

        /** Protocol defaults: 10 s login, 15 s pings, backoff 0.5 s doubling to 30 s. */
        public static Settings of(String host, int port, NodeId nodeId, DeviceId device) {
            return new Settings(host, port, nodeId, device, Duration.ofSeconds(10), Duration.ofSeconds(15),
                    Duration.ofMillis(500), Duration.ofSeconds(30));
        }
    }

    /** What the daemon sends in Authenticate and FriendsUpdate. */
    public record FriendsUpload(boolean upload, List<String> friends) {
        public FriendsUpload {
            friends = upload ? List.copyOf(friends) : List.of();
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
    }

    private final Settings settings;
    private final UserCredential credential;
    private final Supplier<FriendsUpload> friends;
    private final Listener listener;
    private final EventLoopGroup group;
    private final SslContext ssl;
    private final Backoff backoff;
    private final AtomicLong requestIds = new AtomicLong();
    private final Map<Long, CompletableFuture<NodeWire.DevicesAnswer>> pending = new ConcurrentHashMap<>();
    private volatile Channel channel;
    private volatile boolean ready;
    private volatile List<IceServer> iceServers = List.of();
    private volatile boolean closed;
    private ScheduledFuture<?> reconnect;

    public NodeClient(Settings settings, UserCredential credential, Supplier<FriendsUpload> friends, Listener listener,
            EventLoopGroup group) {
        this.settings = settings;
        this.credential = credential;
        this.friends = friends;
        this.listener = listener;
        this.group = group;
        this.backoff = new Backoff(settings.initialBackoff(), settings.maxBackoff(), ThreadLocalRandom.current());
        try {
            this.ssl = SslContextBuilder.forClient()
                    .sslProvider(SslProvider.JDK)
                    .protocols("TLSv1.3")
                    .trustManager(new PinnedTrustManager(settings.nodeId()))
                    .endpointIdentificationAlgorithm(null)
                    .build();
        } catch (SSLException e) {
            throw new IllegalStateException("cannot set up TLS 1.3: " + e.getMessage(), e);
        }
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

    /** Replaces the friends list uploaded at login, without reconnecting. */
    public boolean sendFriendsUpdate(FriendsUpload upload) {
        return send(NodeFrame.newBuilder().setFriendsUpdate(NodeWire.FriendsUpdate.newBuilder()
                .setUploadFriends(upload.upload()).addAllFriends(upload.friends())).build());
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
        LOG.log(Level.DEBUG, "connecting to node " + target());
        Bootstrap b = new Bootstrap()
                .group(group)
                .channel(NioSocketChannel.class)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) settings.loginTimeout().toMillis())
                .option(ChannelOption.TCP_NODELAY, true)
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast("tls", ssl.newHandler(ch.alloc(), settings.host(), settings.port()));
                        long ping = settings.pingInterval().toMillis();
                        ch.pipeline().addLast("idle", new IdleStateHandler(3 * ping, 0, 0, TimeUnit.MILLISECONDS));
                        ProtoFrames.install(ch.pipeline(), NodeFrame.parser());
                        ch.pipeline().addLast("session", new Session());
                    }
                });
        ChannelFuture f = b.connect(settings.host(), settings.port());
        f.addListener(done -> {
            if (!done.isSuccess()) {
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
        long delay = backoff.nextDelayMillis();
        LOG.log(Level.INFO, "reconnecting to node " + target() + " in " + delay + " ms");
        reconnect = group.next().schedule(this::connect, delay, TimeUnit.MILLISECONDS);
    }

    private void loginFailed(String reason) {
        LOG.log(Level.WARNING, reason);
        listener.disconnected(reason, false);
    }

    private String target() {
        return settings.host() + ":" + settings.port();
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

    private enum State { TLS, HELLO_SENT, AUTH_SENT, READY }

    /** One TCP connection's login and dispatch. */
    private final class Session extends SimpleChannelInboundHandler<NodeFrame> {
        private State state = State.TLS;
        private String closeReason = "connection closed";
        private ScheduledFuture<?> loginTimer;
        private ScheduledFuture<?> pinger;
        private long pingNonce;

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            loginTimer = ctx.executor().schedule(() -> {
                closeWith(ctx, "login to node " + target() + " did not finish within " + settings.loginTimeout().toSeconds() + " s");
            }, settings.loginTimeout().toMillis(), TimeUnit.MILLISECONDS);
            ctx.pipeline().get(SslHandler.class).handshakeFuture().addListener(hs -> {
                if (!hs.isSuccess()) {
                    closeWith(ctx, "TLS handshake with node " + target() + " failed: " + rootMessage(hs.cause()));
                    return;
                }
                state = State.HELLO_SENT;
                ctx.writeAndFlush(NodeFrame.newBuilder().setHello(NodeWire.Hello.newBuilder()
                        .setProtocolVersion(WireVersions.NODE_PROTOCOL)
                        .setUserId(credential.user().toString())
                        .setDeviceId(settings.device().name())
                        .setPublicKey(ByteString.copyFrom(credential.publicKey()))).build());
            });
            ctx.fireChannelActive();
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, NodeFrame frame) {
            if (frame.getBodyCase() == NodeFrame.BodyCase.ERROR) {
                NodeWire.Error error = frame.getError();
                if (state != State.READY) {
                    closeWith(ctx, "node " + target() + " refused login: " + error.getCode() + " " + error.getMessage()
                            + (error.getSupportedVersionsCount() > 0 ? " (node speaks " + error.getSupportedVersionsList() + ")" : ""));
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
            if (!java.util.Arrays.equals(claimed, settings.nodeId().toBytes())) {
                closeWith(ctx, "node " + target() + " challenged with node id "
                        + java.util.HexFormat.of().formatHex(claimed) + " but node_id is pinned to " + settings.nodeId());
                return;
            }
            if (challenge.getNonce().size() < 16) {
                closeWith(ctx, "node " + target() + " sent a challenge nonce of only " + challenge.getNonce().size() + " bytes");
                return;
            }
            byte[] transcript = AuthTranscript.nodeLogin(settings.nodeId(), challenge.getNonce().toByteArray(),
                    credential.user(), settings.device());
            FriendsUpload upload = friends.get();
            state = State.AUTH_SENT;
            ctx.writeAndFlush(NodeFrame.newBuilder().setAuthenticate(NodeWire.Authenticate.newBuilder()
                    .setSignature(ByteString.copyFrom(credential.sign(transcript)))
                    .setUploadFriends(upload.upload())
                    .addAllFriends(upload.friends())).build());
        }

        private void onWelcome(ChannelHandlerContext ctx, NodeFrame frame) {
            if (frame.getBodyCase() != NodeFrame.BodyCase.WELCOME) {
                closeWith(ctx, "node " + target() + " sent " + frame.getBodyCase() + " instead of Welcome");
                return;
            }
            List<IceServer> servers = new ArrayList<>();
            for (NodeWire.IceServer s : frame.getWelcome().getIceServersList()) {
                try {
                    IceServer.Kind kind = IceServer.Kind.valueOf(s.getKind().toUpperCase(java.util.Locale.ROOT));
                    servers.add(new IceServer(kind, s.getHost(), s.getPort(), s.getUsername(), s.getPassword()));
                } catch (IllegalArgumentException e) {
                    LOG.log(Level.WARNING, "ignoring ICE server " + s.getKind() + " " + s.getHost() + ":" + s.getPort() + ": " + e.getMessage());
                }
            }
            loginTimer.cancel(false);
            state = State.READY;
            iceServers = List.copyOf(servers);
            ready = true;
            backoff.reset();
            closeReason = "connection closed";
            LOG.log(Level.INFO, "logged in to node " + settings.nodeId() + " at " + target() + " as " + credential.user()
                    + " device " + settings.device() + " (ICE servers: " + servers + ")");
            long ping = settings.pingInterval().toMillis();
            pinger = ctx.executor().scheduleAtFixedRate(() -> ctx.writeAndFlush(NodeFrame.newBuilder()
                    .setPing(NodeWire.Ping.newBuilder().setNonce(++pingNonce)).build()), ping, ping, TimeUnit.MILLISECONDS);
            listener.connected(iceServers);
        }

        private void dispatch(ChannelHandlerContext ctx, NodeFrame frame) {
            switch (frame.getBodyCase()) {
                case DEVICES_ANSWER -> {
                    CompletableFuture<NodeWire.DevicesAnswer> f = pending.remove(frame.getDevicesAnswer().getRequestId());
                    if (f != null) {
                        f.complete(frame.getDevicesAnswer());
                    }
                }
                case PING -> ctx.writeAndFlush(NodeFrame.newBuilder()
                        .setPong(NodeWire.Pong.newBuilder().setNonce(frame.getPing().getNonce())).build());
                case PONG -> { }
                case CONNECT_REQUEST, CONNECT_RESULT, SIGNAL -> {
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
                if (state != State.READY) {
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
            boolean wasReady = state == State.READY;
            if (wasReady) {
                ready = false;
                LOG.log(Level.WARNING, "lost node " + target() + ": " + closeReason);
                failPending();
            }
            listener.disconnected(closeReason, wasReady);
            ctx.fireChannelInactive();
        }
    }
}
