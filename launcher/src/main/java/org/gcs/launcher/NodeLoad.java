package org.gcs.launcher;

import com.google.protobuf.ByteString;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.LengthFieldBasedFrameDecoder;
import io.netty.handler.codec.LengthFieldPrepender;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.bouncycastle.crypto.params.Ed25519PrivateKeyParameters;
import org.bouncycastle.crypto.signers.Ed25519Signer;
import org.gcs.api.DeviceId;
import org.gcs.api.NodeId;
import org.gcs.api.UserId;
import org.gcs.api.auth.AuthTranscript;
import org.gcs.api.tls.PinningTrustManager;
import org.gcs.api.wire.NodeWire;
import org.gcs.api.wire.NodeWire.NodeFrame;
import org.gcs.api.wire.WireVersions;
import org.gcs.auth.pubkey.PubkeyIds;
import org.gcs.internal.netty.ProtobufFrameDecoder;
import org.gcs.internal.netty.ProtobufFrameEncoder;

/**
 * A protocol-level load generator for one GCS node: simulated daemons that speak {@code node.proto} over real TLS 1.3
 * (Hello, Challenge, Authenticate with an Ed25519 signature, Welcome, then pings), with no ICE and no application
 * API, many on a few event loops. Connections spread over several loopback source addresses, so that more than one
 * address's worth of ephemeral ports can be open at once.
 *
 * <pre>{@code
 * try (NodeLoad load = new NodeLoad(node.address(), NodeId.fromHex(node.nodeId()), 2, NodeLoad.loopbackSources(4))) {
 *     NodeLoad.Session s = load.login(NodeLoad.User.fresh(), "sim-1").get();   // logged in, pinging every 20 s
 * }
 * }</pre>
 */
public final class NodeLoad implements AutoCloseable {
    private static final SecureRandom RANDOM = new SecureRandom();
    /** How often a held session pings; the node closes connections silent for its idle timeout (60 s by default). */
    static final long PING_SECONDS = 20;

    /** A simulated {@code pk} user: an Ed25519 key and the id it makes. */
    public record User(UserId id, Ed25519PrivateKeyParameters key) {
        public static User fresh() {
            Ed25519PrivateKeyParameters key = new Ed25519PrivateKeyParameters(RANDOM);
            return new User(PubkeyIds.userOf(key.generatePublicKey().getEncoded()), key);
        }

        byte[] publicKey() {
            return key.generatePublicKey().getEncoded();
        }

        byte[] sign(byte[] message) {
            Ed25519Signer signer = new Ed25519Signer();
            signer.init(true, key);
            signer.update(message, 0, message.length);
            return signer.generateSignature();
        }
    }

    /** A logged-in simulated daemon; {@link #loginNanos} from connecting to {@code Welcome}. */
    public static final class Session implements AutoCloseable {
        private final Channel channel;
        private final long loginNanos;
        private ScheduledFuture<?> pings;

        Session(Channel channel, long loginNanos) {
            this.channel = channel;
            this.loginNanos = loginNanos;
        }

        public long loginNanos() {
            return loginNanos;
        }

        /** Whether the node still holds the connection. */
        public boolean isOpen() {
            return channel.isActive();
        }

        /** Keeps the session alive with a ping every {@link #PING_SECONDS}, first after a random part of that. */
        void keepAlive() {
            long first = 1 + RANDOM.nextInt((int) PING_SECONDS * 1000);
            pings = channel.eventLoop().scheduleAtFixedRate(() -> channel.writeAndFlush(NodeFrame.newBuilder()
                    .setPing(NodeWire.Ping.newBuilder().setNonce(1)).build()), first, PING_SECONDS * 1000,
                    TimeUnit.MILLISECONDS);
        }

        @Override
        public void close() {
            if (pings != null) {
                pings.cancel(false);
            }
            channel.close();
        }
    }

    private final InetSocketAddress node;
    private final NodeId nodeId;
    private final EventLoopGroup group;
    private final SslContext tls;
    private final List<InetAddress> sources;
    private final AtomicInteger next = new AtomicInteger();

    /**
     * @param eventLoops threads for all simulated daemons
     * @param sources local addresses to connect from, in turn (each gives about 28,000 ephemeral ports)
     */
    public NodeLoad(InetSocketAddress node, NodeId nodeId, int eventLoops, List<InetAddress> sources) throws IOException {
        this.node = node;
        this.nodeId = nodeId;
        this.sources = List.copyOf(sources);
        this.group = new MultiThreadIoEventLoopGroup(eventLoops, new DefaultThreadFactory("gcs-nodeload", true),
                NioIoHandler.newFactory());
        this.tls = SslContextBuilder.forClient().sslProvider(SslProvider.JDK).protocols("TLSv1.3")
                .trustManager(new PinningTrustManager(PinningTrustManager.Side.SERVERS,
                        PinningTrustManager.keyHashesTo(nodeId, "not the pinned node"), "the node sent no certificate"))
                .build();
    }

    /** 127.0.0.1, 127.0.0.2, ... ({@code count} of them): every 127/8 address is loopback on Linux. */
    public static List<InetAddress> loopbackSources(int count) throws IOException {
        InetAddress[] all = new InetAddress[count];
        for (int i = 0; i < count; i++) {
            all[i] = InetAddress.getByAddress(new byte[] {127, 0, 0, (byte) (1 + i)});
        }
        return List.of(all);
    }

    /** Logs {@code user}'s {@code device} in on a new connection; completes with the session at {@code Welcome}. */
    public CompletableFuture<Session> login(User user, String device) {
        CompletableFuture<Session> done = new CompletableFuture<>();
        long started = System.nanoTime();
        InetAddress source = sources.get(Math.floorMod(next.getAndIncrement(), sources.size()));
        new Bootstrap().group(group).channel(NioSocketChannel.class)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 30_000)
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline()
                                .addLast(tls.newHandler(ch.alloc(), node.getHostString(), node.getPort()))
                                .addLast(new LengthFieldBasedFrameDecoder(WireVersions.MAX_FRAME_BYTES, 0, 4, 0, 4))
                                .addLast(new LengthFieldPrepender(4))
                                .addLast(new ProtobufFrameDecoder<>(NodeFrame.parser()))
                                .addLast(new ProtobufFrameEncoder<>(NodeFrame.class, WireVersions.MAX_FRAME_BYTES,
                                        f -> f.getBodyCase().toString()))
                                .addLast(new LoginHandler(user, device, started, done));
                    }
                })
                .connect(node, new InetSocketAddress(source, 0)).addListener(f -> {
                    if (!f.isSuccess()) {
                        done.completeExceptionally(f.cause());
                    }
                });
        return done;
    }

    /** Hello, Challenge, Authenticate, Welcome; then the session stays, answering nothing (pongs are read and dropped). */
    private final class LoginHandler extends SimpleChannelInboundHandler<NodeFrame> {
        private final User user;
        private final String device;
        private final long started;
        private final CompletableFuture<Session> done;

        LoginHandler(User user, String device, long started, CompletableFuture<Session> done) {
            this.user = user;
            this.device = device;
            this.started = started;
            this.done = done;
        }

        @Override
        public void channelActive(ChannelHandlerContext ctx) throws Exception {
            ctx.writeAndFlush(NodeFrame.newBuilder().setHello(NodeWire.Hello.newBuilder()
                    .setProtocolVersion(WireVersions.NODE_PROTOCOL).setUserId(user.id().toString()).setDeviceId(device)
                    .setPublicKey(ByteString.copyFrom(user.publicKey()))).build());
            super.channelActive(ctx);
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, NodeFrame frame) {
            switch (frame.getBodyCase()) {
                case CHALLENGE -> {
                    byte[] transcript = AuthTranscript.nodeLogin(nodeId, frame.getChallenge().getNonce().toByteArray(),
                            user.id(), DeviceId.of(device));
                    ctx.writeAndFlush(NodeFrame.newBuilder().setAuthenticate(NodeWire.Authenticate.newBuilder()
                            .setSignature(ByteString.copyFrom(user.sign(transcript)))).build());
                }
                case WELCOME -> done.complete(new Session(ctx.channel(), System.nanoTime() - started));
                case ERROR -> {
                    done.completeExceptionally(new IOException("node refused " + user.id() + "/" + device + ": "
                            + frame.getError().getCode() + " " + frame.getError().getMessage()));
                    ctx.close();
                }
                default -> {
                }
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) throws Exception {
            done.completeExceptionally(new IOException("connection closed before Welcome"));
            super.channelInactive(ctx);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            done.completeExceptionally(cause);
            ctx.close();
        }
    }

    @Override
    public void close() {
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
    }
}
