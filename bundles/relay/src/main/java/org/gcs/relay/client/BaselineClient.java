package org.gcs.relay.client;

import com.google.protobuf.ByteString;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.LengthFieldBasedFrameDecoder;
import io.netty.handler.codec.LengthFieldPrepender;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.function.BiConsumer;
import org.gcs.api.DeviceOfflineException;
import org.gcs.api.NodeId;
import org.gcs.api.ProtocolException;
import org.gcs.api.TransportException;
import org.gcs.api.tls.PinningTrustManager;
import org.gcs.api.transport.ChannelType;
import org.gcs.api.transport.IceServer;
import org.gcs.api.transport.P2PChannel;
import org.gcs.api.transport.P2PTransport;
import org.gcs.api.transport.PeerSession;
import org.gcs.api.transport.Role;
import org.gcs.api.transport.SessionOptions;
import org.gcs.api.wire.NodeWire;
import org.gcs.api.wire.RelayWire.Forward;
import org.gcs.api.wire.RelayWire.ForwardKind;
import org.gcs.api.wire.RelayWire.Register;
import org.gcs.api.wire.RelayWire.RelayError;
import org.gcs.api.wire.RelayWire.RelayErrorCode;
import org.gcs.api.wire.RelayWire.RelayFrame;
import org.gcs.api.wire.WireVersions;
import org.gcs.internal.concurrent.SerialExecutor;
import org.gcs.internal.netty.ProtobufFrameDecoder;
import org.gcs.internal.netty.ProtobufFrameEncoder;

/**
 * A baseline application: registered at the relay under an id, it opens channels to other ids with
 * {@link #open(String, ChannelType)} and accepts every channel opened to it (the minified system has no friends and no
 * decision). Signaling is the offer, the answer and trickled signals, forwarded by the relay; the channel is the same
 * ICE + QUIC {@link P2PTransport} a GCS daemon uses, pinned to the certificate fingerprints in the descriptions.
 *
 * <pre>{@code
 * BaselineClient bob = BaselineClient.connect(relay, relayId, "bob", transport, group, pool,
 *         (peer, channel) -> serve(channel)).join();
 * BaselineClient alice = BaselineClient.connect(relay, relayId, "alice", transport, group, pool, (p, c) -> c.close()).join();
 * P2PChannel toBob = alice.open("bob", ChannelType.DATA).join();
 * }</pre>
 */
public final class BaselineClient implements AutoCloseable {
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final int MAX_FRAME_BYTES = WireVersions.MAX_FRAME_BYTES;
    /** How often a registered client pings the relay. */
    static final long KEEPALIVE_SECONDS = 20;

    private final String id;
    private final P2PTransport transport;
    private final BiConsumer<String, P2PChannel> accepted;
    private final Executor serial;
    private final Duration timeout;
    private final Map<ByteString, Attempt> attempts = new ConcurrentHashMap<>();
    private final CompletableFuture<BaselineClient> registered = new CompletableFuture<>();
    private volatile List<IceServer> iceServers = List.of();
    private volatile Channel channel;

    /** One connection being set up: its session, its peer, and the signals waiting for its description to go first. */
    private static final class Attempt {
        final ByteString connectionId;
        final String peer;
        final PeerSession session;
        final CompletableFuture<P2PChannel> result = new CompletableFuture<>();
        final List<byte[]> waiting = new ArrayList<>();
        boolean described;

        Attempt(ByteString connectionId, String peer, PeerSession session) {
            this.connectionId = connectionId;
            this.peer = peer;
            this.session = session;
        }
    }

    private BaselineClient(String id, P2PTransport transport, Executor pool, Duration timeout,
            BiConsumer<String, P2PChannel> accepted) {
        this.id = id;
        this.transport = transport;
        this.serial = new SerialExecutor(pool);
        this.timeout = timeout;
        this.accepted = accepted;
    }

    /**
     * Connects to the relay at {@code relay} (pinned to {@code relayId}, the id in its {@code relay.properties}) and
     * registers {@code id}; completes once registered.
     *
     * @param group the Netty event loops for the relay connection (shared by many clients)
     * @param pool where session steps run (shared; each client keeps its own order)
     * @param accepted called with the peer's id and the channel for every connection opened to this client, on one of
     *        the transport's threads: it must not block (hand the channel to a thread of its own to read it)
     */
    public static CompletableFuture<BaselineClient> connect(InetSocketAddress relay, NodeId relayId, String id,
            P2PTransport transport, EventLoopGroup group, Executor pool, Duration timeout,
            BiConsumer<String, P2PChannel> accepted) {
        BaselineClient client = new BaselineClient(id, transport, pool, timeout, accepted);
        SslContext tls;
        try {
            tls = SslContextBuilder.forClient().sslProvider(SslProvider.JDK).protocols("TLSv1.3")
                    .trustManager(new PinningTrustManager(PinningTrustManager.Side.SERVERS,
                            PinningTrustManager.keyHashesTo(relayId, "not the pinned relay"), "the relay sent no certificate"))
                    .build();
        } catch (IOException e) {
            return CompletableFuture.failedFuture(e);
        }
        new Bootstrap().group(group).channel(NioSocketChannel.class)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) timeout.toMillis())
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline()
                                .addLast(tls.newHandler(ch.alloc(), relay.getHostString(), relay.getPort()))
                                .addLast(new LengthFieldBasedFrameDecoder(MAX_FRAME_BYTES, 0, 4, 0, 4))
                                .addLast(new LengthFieldPrepender(4))
                                .addLast(new ProtobufFrameDecoder<>(RelayFrame.parser()))
                                .addLast(new ProtobufFrameEncoder<>(RelayFrame.class, MAX_FRAME_BYTES,
                                        f -> f.getBodyCase().toString()))
                                .addLast(client.new Handler());
                    }
                })
                .connect(relay).addListener(f -> {
                    if (!f.isSuccess()) {
                        client.registered.completeExceptionally(new TransportException("relay " + relay
                                + " unreachable: " + f.cause()));
                    }
                });
        return client.registered;
    }

    /** The id this client registered. */
    public String id() {
        return id;
    }

    /** The STUN servers the relay advertised. */
    public List<IceServer> iceServers() {
        return iceServers;
    }

    /**
     * Opens a channel to the application registered as {@code peer}: an offer through the relay, the answer back,
     * candidates trickled both ways, then ICE and QUIC. Fails with {@link DeviceOfflineException} if nobody is
     * registered so, and with {@link TransportException} when no path works within the timeout.
     */
    public CompletableFuture<P2PChannel> open(String peer, ChannelType type) {
        Objects.requireNonNull(peer, "peer");
        byte[] raw = new byte[16];
        RANDOM.nextBytes(raw);
        ByteString connectionId = ByteString.copyFrom(raw);
        CompletableFuture<P2PChannel> result = new CompletableFuture<>();
        serial.execute(() -> {
            Attempt attempt;
            try {
                Attempt[] self = new Attempt[1];
                PeerSession session = transport.newSession(new SessionOptions(Role.CONTROLLING, type, iceServers, timeout),
                        signal -> serial.execute(() -> sendSignal(self[0], signal)));
                attempt = new Attempt(connectionId, peer, session);
                self[0] = attempt;
            } catch (RuntimeException e) {
                result.completeExceptionally(e);
                return;
            }
            attempts.put(connectionId, attempt);
            follow(attempt);
            attempt.result.whenComplete((ch, e) -> {
                if (e == null) {
                    result.complete(ch);
                } else {
                    result.completeExceptionally(e instanceof java.util.concurrent.CompletionException
                            && e.getCause() != null ? e.getCause() : e);
                }
            });
            attempt.session.localDescription().whenComplete((offer, e) -> serial.execute(() -> {
                if (e != null) {
                    give(attempt, e);
                    return;
                }
                send(Forward.newBuilder().setPeer(peer).setConnectionId(connectionId).setKind(ForwardKind.OFFER)
                        .setChannelType(type == ChannelType.STREAM ? 1 : 0).setPayload(ByteString.copyFrom(offer)));
                described(attempt);
            }));
        });
        return result;
    }

    /** A forward from the relay, in this client's order. */
    private void received(Forward f) {
        Attempt attempt = attempts.get(f.getConnectionId());
        switch (f.getKind()) {
            case OFFER -> {
                if (attempt == null) {
                    answer(f);
                }
            }
            case ANSWER -> {
                if (attempt != null && attempt.peer.equals(f.getPeer())) {
                    try {
                        attempt.session.remoteDescription(f.getPayload().toByteArray());
                    } catch (RuntimeException e) {
                        give(attempt, e);
                    }
                }
            }
            case SIGNAL -> {
                if (attempt != null && attempt.peer.equals(f.getPeer())) {
                    try {
                        attempt.session.remoteSignal(f.getPayload().toByteArray());
                    } catch (ProtocolException e) {
                        give(attempt, e);
                    }
                }
            }
            case CLOSE -> {
                if (attempt != null && attempt.peer.equals(f.getPeer())) {
                    attempts.remove(f.getConnectionId());
                    attempt.result.completeExceptionally(new TransportException(f.getPeer() + " gave the connection up"));
                    attempt.session.close();
                }
            }
            default -> {
            }
        }
    }

    /** Someone opens a connection to this client: accept it (no friends, no decision in the minified system). */
    private void answer(Forward offer) {
        ChannelType type = offer.getChannelType() == 1 ? ChannelType.STREAM : ChannelType.DATA;
        Attempt attempt;
        try {
            Attempt[] self = new Attempt[1];
            PeerSession session = transport.newSession(new SessionOptions(Role.CONTROLLED, type, iceServers, timeout),
                    signal -> serial.execute(() -> sendSignal(self[0], signal)));
            attempt = new Attempt(offer.getConnectionId(), offer.getPeer(), session);
            self[0] = attempt;
            attempts.put(offer.getConnectionId(), attempt);
            session.remoteDescription(offer.getPayload().toByteArray());
        } catch (RuntimeException e) {
            send(Forward.newBuilder().setPeer(offer.getPeer()).setConnectionId(offer.getConnectionId())
                    .setKind(ForwardKind.CLOSE));
            return;
        }
        follow(attempt);
        attempt.result.thenAccept(ch -> accepted.accept(attempt.peer, ch));
        attempt.session.localDescription().whenComplete((answer, e) -> serial.execute(() -> {
            if (e != null) {
                give(attempt, e);
                return;
            }
            send(Forward.newBuilder().setPeer(attempt.peer).setConnectionId(attempt.connectionId)
                    .setKind(ForwardKind.ANSWER).setPayload(ByteString.copyFrom(answer)));
            described(attempt);
        }));
    }

    /** Completes the attempt's result with its session's channel, and forgets the attempt either way. */
    private void follow(Attempt attempt) {
        attempt.session.channel().whenComplete((ch, e) -> {
            attempts.remove(attempt.connectionId, attempt);
            if (e == null) {
                attempt.result.complete(ch);
            } else {
                attempt.result.completeExceptionally(e instanceof java.util.concurrent.CompletionException
                        && e.getCause() != null ? e.getCause() : e);
            }
        });
    }

    private void sendSignal(Attempt attempt, byte[] signal) {
        if (attempt == null) {
            return;
        }
        if (!attempt.described) {
            attempt.waiting.add(signal);
            return;
        }
        send(Forward.newBuilder().setPeer(attempt.peer).setConnectionId(attempt.connectionId).setKind(ForwardKind.SIGNAL)
                .setPayload(ByteString.copyFrom(signal)));
    }

    /** The description went out: the signals that waited for it follow, in order. */
    private void described(Attempt attempt) {
        attempt.described = true;
        for (byte[] signal : attempt.waiting) {
            sendSignal(attempt, signal);
        }
        attempt.waiting.clear();
    }

    /** Gives the attempt up: the peer is told, the session closed, the result failed. */
    private void give(Attempt attempt, Throwable cause) {
        if (attempts.remove(attempt.connectionId, attempt)) {
            send(Forward.newBuilder().setPeer(attempt.peer).setConnectionId(attempt.connectionId)
                    .setKind(ForwardKind.CLOSE));
        }
        attempt.result.completeExceptionally(cause);
        attempt.session.close();
    }

    private void send(Forward.Builder forward) {
        Channel c = channel;
        if (c != null) {
            c.writeAndFlush(RelayFrame.newBuilder().setForward(forward).build());
        }
    }

    /** Sends a ping (a registered client does every {@value #KEEPALIVE_SECONDS} s by itself). */
    public void ping() {
        Channel c = channel;
        if (c != null) {
            c.writeAndFlush(RelayFrame.newBuilder().setPing(NodeWire.Ping.newBuilder().setNonce(RANDOM.nextLong())).build());
        }
    }

    /** Closes the relay connection and every attempt still setting up (open channels belong to their users). */
    @Override
    public void close() {
        Channel c = channel;
        if (c != null) {
            c.close();
        }
        attempts.values().forEach(a -> {
            a.result.completeExceptionally(new TransportException("the baseline client closed"));
            a.session.close();
        });
        attempts.clear();
    }

    private final class Handler extends SimpleChannelInboundHandler<RelayFrame> {
        @Override
        public void channelActive(ChannelHandlerContext ctx) throws Exception {
            channel = ctx.channel();
            ctx.writeAndFlush(RelayFrame.newBuilder().setRegister(Register.newBuilder()
                    .setProtocolVersion(WireVersions.RELAY_PROTOCOL).setId(id)).build());
            super.channelActive(ctx);
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, RelayFrame frame) {
            switch (frame.getBodyCase()) {
                case REGISTERED -> {
                    List<IceServer> servers = new ArrayList<>();
                    for (NodeWire.IceServer s : frame.getRegistered().getIceServersList()) {
                        if (s.getKind().equalsIgnoreCase("stun") && s.getPort() > 0) {
                            servers.add(IceServer.stun(s.getHost(), s.getPort()));
                        }
                    }
                    iceServers = List.copyOf(servers);
                    // the relay closes connections silent for its idle timeout (60 s by default)
                    ctx.channel().eventLoop().scheduleAtFixedRate(BaselineClient.this::ping, KEEPALIVE_SECONDS,
                            KEEPALIVE_SECONDS, java.util.concurrent.TimeUnit.SECONDS);
                    registered.complete(BaselineClient.this);
                }
                case FORWARD -> {
                    Forward f = frame.getForward();
                    serial.execute(() -> received(f));
                }
                case ERROR -> {
                    RelayError error = frame.getError();
                    if (error.getCode() == RelayErrorCode.RELAY_UNKNOWN_PEER) {
                        serial.execute(() -> {
                            Attempt a = attempts.get(error.getConnectionId());
                            if (a != null) {
                                attempts.remove(error.getConnectionId(), a);
                                a.result.completeExceptionally(new DeviceOfflineException(error.getMessage()));
                                a.session.close(); // after the result: closing fails the session's channel too
                            }
                        });
                    } else {
                        registered.completeExceptionally(new ProtocolException("relay refused " + id + ": "
                                + error.getCode() + " " + error.getMessage()));
                    }
                }
                default -> {
                }
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) throws Exception {
            registered.completeExceptionally(new TransportException("relay connection closed before registering"));
            super.channelInactive(ctx);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            registered.completeExceptionally(cause);
            ctx.close();
        }
    }

    @Override
    public String toString() {
        return "BaselineClient[" + id + "]";
    }
}
