package org.gcs.daemon.testing;

import com.google.protobuf.ByteString;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.math.BigInteger;
import java.net.InetSocketAddress;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.gcs.api.DeviceId;
import org.gcs.api.NodeId;
import org.gcs.api.UserId;
import org.gcs.api.auth.AuthTranscript;
import org.gcs.api.wire.NodeWire;
import org.gcs.api.wire.NodeWire.NodeFrame;
import org.gcs.api.wire.NodeWire.Status;
import org.gcs.daemon.wire.ProtoFrames;

/**
 * A stand-in GCS node on 127.0.0.1 for tests: TLS 1.3 with a fresh self-signed ECDSA P-256 certificate, the login of
 * PROTOCOL.md with a real Ed25519 check, and a tiny router (devices, connect, signals, friends filter) between the
 * daemons logged in to it. Every frame received after login is kept in {@link #received}.
 */
public final class TestNode implements AutoCloseable {
    public record Received(String from, NodeFrame frame) {
    }

    /** How the node checks a login signature. */
    public interface Verifier {
        boolean verify(UserId user, byte[] publicKey, byte[] transcript, byte[] signature);
    }

    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    private final ChannelGroup all = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
    private final NodeId nodeId;
    private final Channel server;
    private final SecureRandom random = new SecureRandom();
    private final Map<String, Conn> online = new ConcurrentHashMap<>();
    private final Map<ByteString, String[]> connections = new ConcurrentHashMap<>();
    public final BlockingQueue<Received> received = new LinkedBlockingQueue<>();
    public final AtomicInteger logins = new AtomicInteger();
    public final AtomicInteger authFailures = new AtomicInteger();
    /** Send this node id in Challenge instead of the real one. */
    public volatile byte[] challengeNodeId;
    /** Checks login signatures: (public key, transcript, signature) -> valid. JDK Ed25519 over X.509 keys by default. */
    public volatile Verifier verifier = (user, key, transcript, signature) -> TestCredentials.verify(key, transcript, signature);
    /** Do not route Connect frames (the caller times out). */
    public volatile boolean swallowConnects;
    /** A malicious node: rewrites every ConnectRequest and ConnectResult it routes (identity by default). */
    public volatile UnaryOperator<NodeFrame> tamper = UnaryOperator.identity();
    /** How many times each signal is relayed (a node replaying signals sends more than one). */
    public volatile int signalCopies = 1;
    /** The handlers this node names in DetectedHandlers; {@code null}: itself only. */
    public volatile List<NodeWire.NodeAddress> handlers;
    /** Answer Hello with a Redirect to these nodes instead of a Challenge; {@code null}: log in here. */
    public volatile List<NodeWire.NodeAddress> redirectTo;
    /** How many GetHandlersForUser this node answered. */
    public final AtomicInteger handlerQueries = new AtomicInteger();
    /** Every ConnectRequest routed, after tampering: a malicious node may replay them. */
    public final List<NodeFrame> routedRequests = new java.util.concurrent.CopyOnWriteArrayList<>();

    private static final class Conn {
        final Channel ch;
        UserId user;
        String device;
        byte[] publicKey;
        byte[] nonce;
        boolean ready;
        volatile boolean upload;
        volatile Set<String> friends = Set.of();

        Conn(Channel ch) {
            this.ch = ch;
        }

        String key() {
            return user + "/" + device;
        }
    }

    /** This node's daemon-facing address, as nodes name each other on the wire. */
    public NodeWire.NodeAddress address() {
        return NodeWire.NodeAddress.newBuilder().setNodeId(ByteString.copyFrom(nodeId.toBytes()))
                .setHost("127.0.0.1").setPort(port()).build();
    }

    /** Sends a Redirect to every logged-in daemon (the node's user moved to other handlers). */
    public void redirectEveryone(List<NodeWire.NodeAddress> to) {
        for (Conn conn : online.values()) {
            conn.ch.writeAndFlush(NodeFrame.newBuilder().setRedirect(NodeWire.Redirect.newBuilder()
                    .setUserId(conn.user.toString()).addAllHandlers(to).setReason("handlers changed")).build());
        }
    }

    public TestNode() throws Exception {
        KeyPairGenerator kpg = KeyPairGenerator.getInstance("EC");
        kpg.initialize(new ECGenParameterSpec("secp256r1"));
        KeyPair kp = kpg.generateKeyPair();
        X500Name name = new X500Name("CN=gcs-test-node");
        long now = System.currentTimeMillis();
        X509Certificate cert = new JcaX509CertificateConverter().getCertificate(new JcaX509v3CertificateBuilder(
                name, BigInteger.valueOf(now), new Date(now - 3_600_000), new Date(now + 86_400_000), name, kp.getPublic())
                .build(new JcaContentSignerBuilder("SHA256withECDSA").build(kp.getPrivate())));
        nodeId = NodeId.fromPublicKey(cert.getPublicKey().getEncoded());
        SslContext ssl = SslContextBuilder.forServer(kp.getPrivate(), cert)
                .sslProvider(SslProvider.JDK).protocols("TLSv1.3").build();
        server = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        all.add(ch);
                        ch.pipeline().addLast(ssl.newHandler(ch.alloc()));
                        ProtoFrames.install(ch.pipeline(), NodeFrame.parser());
                        ch.pipeline().addLast(new Handler(new Conn(ch)));
                    }
                })
                .bind("127.0.0.1", 0).sync().channel();
    }

    public NodeId nodeId() {
        return nodeId;
    }

    public int port() {
        return ((InetSocketAddress) server.localAddress()).getPort();
    }

    /** Drops every daemon connection (they should reconnect). */
    public void dropAll() {
        all.close().awaitUninterruptibly(2, TimeUnit.SECONDS);
    }

    public boolean isOnline(UserId user, String device) {
        Conn c = online.get(user + "/" + device);
        return c != null && c.ready;
    }

    /** The friends list a user's device uploaded, null if none. */
    public Set<String> uploadedFriends(UserId user, String device) {
        Conn c = online.get(user + "/" + device);
        return c == null || !c.upload ? null : c.friends;
    }

    /** Waits for the next received frame of {@code kind}, skipping others (pings). */
    public Received next(NodeFrame.BodyCase kind, long timeoutMillis) throws InterruptedException {
        long end = System.currentTimeMillis() + timeoutMillis;
        while (true) {
            long left = end - System.currentTimeMillis();
            Received r = left <= 0 ? null : received.poll(left, TimeUnit.MILLISECONDS);
            if (r == null) {
                return null;
            }
            if (r.frame().getBodyCase() == kind) {
                return r;
            }
        }
    }

    /** Sends {@code frame} to a logged-in device. */
    public void sendTo(UserId user, String device, NodeFrame frame) {
        Conn c = online.get(user + "/" + device);
        if (c != null) {
            c.ch.writeAndFlush(frame);
        }
    }

    @Override
    public void close() {
        server.close().awaitUninterruptibly(2, TimeUnit.SECONDS);
        dropAll();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(3, TimeUnit.SECONDS);
    }

    private final class Handler extends SimpleChannelInboundHandler<NodeFrame> {
        private final Conn c;

        Handler(Conn c) {
            this.c = c;
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, NodeFrame f) {
            if (!c.ready) {
                login(ctx, f);
                return;
            }
            try {
                route(ctx, f);
            } finally {
                received.add(new Received(c.key(), f));
            }
        }

        private void route(ChannelHandlerContext ctx, NodeFrame f) {
            switch (f.getBodyCase()) {
                case PING -> ctx.writeAndFlush(NodeFrame.newBuilder().setPong(NodeWire.Pong.newBuilder().setNonce(f.getPing().getNonce())).build());
                case DEVICES_QUERY -> {
                    List<String> devices = new ArrayList<>();
                    String user = f.getDevicesQuery().getUserId();
                    online.values().forEach(o -> {
                        if (o.ready && o.user.toString().equals(user)) {
                            devices.add(o.device);
                        }
                    });
                    ctx.writeAndFlush(NodeFrame.newBuilder().setDevicesAnswer(NodeWire.DevicesAnswer.newBuilder()
                            .setRequestId(f.getDevicesQuery().getRequestId())
                            .setStatus(devices.isEmpty() ? Status.UNKNOWN_USER : Status.OK).addAllDevices(devices)).build());
                }
                case CONNECT -> connect(ctx, f.getConnect());
                case CONNECT_RESPONSE -> {
                    NodeWire.ConnectResponse r = f.getConnectResponse();
                    String[] ends = connections.get(r.getConnectionId());
                    Conn caller = ends == null ? null : online.get(ends[0]);
                    if (caller != null) {
                        caller.ch.writeAndFlush(tamper.apply(NodeFrame.newBuilder().setConnectResult(NodeWire.ConnectResult.newBuilder()
                                .setConnectionId(r.getConnectionId()).setStatus(r.getStatus()).setAnswer(r.getAnswer())
                                .setMessage(r.getMessage()).setAnswerSignature(r.getAnswerSignature())
                                .setCalleePublicKey(r.getCalleePublicKey()).setDeferredDecision(r.getDeferredDecision())).build()));
                    }
                }
                case SIGNAL -> {
                    String[] ends = connections.get(f.getSignal().getConnectionId());
                    if (ends != null) {
                        Conn other = online.get(ends[0].equals(c.key()) ? ends[1] : ends[0]);
                        if (other != null) {
                            NodeFrame relayed = tamper.apply(f);
                            for (int i = 0; i < signalCopies; i++) {
                                other.ch.writeAndFlush(relayed);
                            }
                        }
                    }
                }
                case CONNECT_CANCEL -> {
                    // as the real node: from the caller only, to the callee, and the connection is forgotten
                    String[] ends = connections.get(f.getConnectCancel().getConnectionId());
                    if (ends != null && ends[0].equals(c.key())) {
                        connections.remove(f.getConnectCancel().getConnectionId());
                        Conn callee = online.get(ends[1]);
                        if (callee != null) {
                            callee.ch.writeAndFlush(f);
                        }
                    }
                }
                case FRIENDS_UPDATE -> {
                    c.upload = f.getFriendsUpdate().getUploadFriends();
                    c.friends = Set.copyOf(f.getFriendsUpdate().getFriendsList());
                }
                default -> { }
            }
        }

        private void connect(ChannelHandlerContext ctx, NodeWire.Connect r) {
            if (swallowConnects) {
                return;
            }
            Status status = null;
            Conn callee = online.get(r.getCalleeUser() + "/" + r.getCalleeDevice());
            boolean userOnline = online.values().stream().anyMatch(o -> o.ready && o.user.toString().equals(r.getCalleeUser()));
            if (!userOnline) {
                status = Status.UNKNOWN_USER;
            } else if (callee == null || !callee.ready) {
                status = Status.DEVICE_OFFLINE;
            } else if (callee.upload && !callee.user.equals(c.user) && !callee.friends.contains(c.user.toString())) {
                status = Status.UNKNOWN_USER; // as the real node: a stranger cannot tell this from "not online"
            }
            if (status != null) {
                ctx.writeAndFlush(NodeFrame.newBuilder().setConnectResult(NodeWire.ConnectResult.newBuilder()
                        .setConnectionId(r.getConnectionId()).setStatus(status)).build());
                return;
            }
            connections.put(r.getConnectionId(), new String[] {c.key(), callee.key()});
            NodeFrame request = tamper.apply(NodeFrame.newBuilder().setConnectRequest(NodeWire.ConnectRequest.newBuilder()
                    .setConnectionId(r.getConnectionId()).setCallerUser(c.user.toString()).setCallerDevice(c.device)
                    .setCallerApp(r.getCallerApp()).setCalleeApp(r.getCalleeApp()).setType(r.getType())
                    .setOffer(r.getOffer()).setOfferSignature(r.getOfferSignature()).setCallerPublicKey(r.getCallerPublicKey())
                    .setTimestampMs(r.getTimestampMs())).build());
            routedRequests.add(request);
            connections.put(request.getConnectRequest().getConnectionId(), new String[] {c.key(), callee.key()});
            callee.ch.writeAndFlush(request);
        }

        private void login(ChannelHandlerContext ctx, NodeFrame f) {
            if (f.hasGetHandlersForUser() && c.user == null) {
                handlerQueries.incrementAndGet();
                List<NodeWire.NodeAddress> named = handlers != null ? handlers : List.of(address());
                ctx.writeAndFlush(NodeFrame.newBuilder().setDetectedHandlers(NodeWire.DetectedHandlers.newBuilder()
                        .setRequestId(f.getGetHandlersForUser().getRequestId())
                        .setUserId(f.getGetHandlersForUser().getUserId()).addAllHandlers(named)).build());
            } else if (f.hasHello() && c.user == null && redirectTo != null) {
                ctx.writeAndFlush(NodeFrame.newBuilder().setRedirect(NodeWire.Redirect.newBuilder()
                        .setUserId(f.getHello().getUserId()).addAllHandlers(redirectTo).setReason("test redirect")).build())
                        .addListener(io.netty.channel.ChannelFutureListener.CLOSE);
            } else if (f.hasHello() && c.user == null) {
                c.user = UserId.parse(f.getHello().getUserId());
                c.device = f.getHello().getDeviceId();
                c.publicKey = f.getHello().getPublicKey().toByteArray();
                c.nonce = new byte[32];
                random.nextBytes(c.nonce);
                byte[] id = challengeNodeId != null ? challengeNodeId : nodeId.toBytes();
                ctx.writeAndFlush(NodeFrame.newBuilder().setChallenge(NodeWire.Challenge.newBuilder()
                        .setNodeId(ByteString.copyFrom(id)).setNonce(ByteString.copyFrom(c.nonce))).build());
            } else if (f.hasAuthenticate() && c.user != null) {
                byte[] transcript = AuthTranscript.nodeLogin(nodeId, c.nonce, c.user, DeviceId.of(c.device));
                if (!verifier.verify(c.user, c.publicKey, transcript, f.getAuthenticate().getSignature().toByteArray())) {
                    authFailures.incrementAndGet();
                    ctx.writeAndFlush(NodeFrame.newBuilder().setError(NodeWire.Error.newBuilder()
                            .setCode(NodeWire.ErrorCode.AUTH_FAILED).setMessage("bad signature")).build());
                    ctx.close();
                    return;
                }
                c.upload = f.getAuthenticate().getUploadFriends();
                c.friends = Set.copyOf(f.getAuthenticate().getFriendsList());
                c.ready = true;
                Conn old = online.put(c.key(), c);
                if (old != null && old != c) {
                    old.ch.close();
                }
                logins.incrementAndGet();
                ctx.writeAndFlush(NodeFrame.newBuilder().setWelcome(NodeWire.Welcome.newBuilder()
                        .setNodeId(ByteString.copyFrom(nodeId.toBytes()))
                        .addIceServers(NodeWire.IceServer.newBuilder().setKind("stun").setHost("127.0.0.1").setPort(3478))).build());
            } else {
                ctx.writeAndFlush(NodeFrame.newBuilder().setError(NodeWire.Error.newBuilder()
                        .setCode(NodeWire.ErrorCode.MALFORMED)).build());
                ctx.close();
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            if (c.user != null) {
                online.remove(c.key(), c);
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }
}
