package org.gcs.transport.ice.quic;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.handler.codec.quic.QuicChannel;
import io.netty.handler.codec.quic.QuicClientCodecBuilder;
import io.netty.handler.codec.quic.QuicCodecBuilder;
import io.netty.handler.codec.quic.QuicConnectionCloseEvent;
import io.netty.handler.codec.quic.QuicDatagramExtensionEvent;
import io.netty.handler.codec.quic.QuicServerCodecBuilder;
import io.netty.handler.codec.quic.QuicSslContext;
import io.netty.handler.codec.quic.QuicSslContextBuilder;
import io.netty.handler.codec.quic.QuicStreamChannel;
import io.netty.handler.codec.quic.QuicStreamType;
import io.netty.handler.codec.quic.QuicTokenHandler;
import io.netty.handler.ssl.ClientAuth;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.logging.Logger;
import org.gcs.api.TransportException;
import org.gcs.api.transport.ChannelType;
import org.gcs.api.transport.P2PChannel;
import org.gcs.api.transport.PathKind;
import org.gcs.transport.ice.tls.PinningTrustManager;
import org.gcs.transport.ice.tls.SessionCertificate;

/**
 * One QUIC connection over an ICE path. The client ({@code CONTROLLING}) connects once ICE completed; the server
 * ({@code CONTROLLED}) listens from the moment it knows the peer's fingerprint and accepts exactly one connection. Both
 * ends present their session certificate and pin the peer's (TLS 1.3, mutual). A {@link ChannelType#DATA} endpoint
 * carries one bidirectional stream, a {@link ChannelType#STREAM} endpoint QUIC datagrams (RFC 9221).
 *
 * <p>Packets go QUIC codec &lt;-&gt; {@link IceDatagramChannel} &lt;-&gt; {@link IcePath} (ice4j component on the
 * selected pair); with {@link Settings#direct()} false, Netty {@code NioDatagramChannel} (127.0.0.1) &lt;-&gt;
 * {@link UdpShim} (127.0.0.1) &lt;-&gt; {@link IcePath}.
 */
public final class QuicEndpoint {
    /** ALPN protocol id of this channel. */
    public static final String ALPN = "gcs-p2p/1";
    private static final Logger LOG = Logger.getLogger(QuicEndpoint.class.getName());
    private static final long CLOSE_FLUSH_DELAY_MS = 100;
    /** How long building an endpoint waits for its event loop to bind the channel (a loaded loop is slow, not dead). */
    private static final long BIND_TIMEOUT_SECONDS = 30;
    private static final long KEEPALIVE_WINDOW = 64 * 1024;
    private static final byte[] KEEPALIVE = {0};
    /** How long {@code sendDatagram} waits for a congested connection before dropping the datagram. */
    private static final long CONGESTION_WAIT_NANOS = TimeUnit.MILLISECONDS.toNanos(20);

    /** Reads and drops what the peer's keep-alive stream carries. */
    @ChannelHandler.Sharable
    private static final class KeepaliveSink extends ChannelInboundHandlerAdapter {
        static final KeepaliveSink INSTANCE = new KeepaliveSink();

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            io.netty.util.ReferenceCountUtil.release(msg);
        }
    }

    /**
     * No Retry round trip: address validation is ICE's job (the shim only forwards from the checked pair), and the
     * peer is authenticated by its pinned certificate.
     */
    private static final QuicTokenHandler NO_RETRY = new QuicTokenHandler() {
        @Override
        public boolean writeToken(ByteBuf out, ByteBuf dcid, InetSocketAddress address) {
            return false;
        }

        @Override
        public int validateToken(ByteBuf token, InetSocketAddress address) {
            return -1;
        }

        @Override
        public int maxTokenLength() {
            return 0;
        }
    };

    /**
     * Tunables of the QUIC connection.
     *
     * @param idleTimeout connection closes after this long without packets (the keep-alives prevent it)
     * @param maxData connection-level flow-control window (bytes)
     * @param maxStreamData per-stream flow-control window (bytes)
     * @param datagramQueue datagrams buffered for the application / in quiche, each way (beyond: dropped)
     * @param closeLinger how long {@link P2PChannel#close()} waits for the peer to finish the DATA stream
     * @param keepaliveInterval period of the keep-alive byte (effective: at most a third of the idle timeout)
     * @param direct QUIC's Netty channel sits directly on the ICE path ({@link IceDatagramChannel}); false: through a
     *               127.0.0.1 {@link UdpShim} (fallback)
     */
    public record Settings(Duration idleTimeout, long maxData, long maxStreamData, int datagramQueue,
                           Duration closeLinger, Duration keepaliveInterval, boolean direct) {
        /** Direct channel (the default). */
        public Settings(Duration idleTimeout, long maxData, long maxStreamData, int datagramQueue,
                        Duration closeLinger, Duration keepaliveInterval) {
            this(idleTimeout, maxData, maxStreamData, datagramQueue, closeLinger, keepaliveInterval, true);
        }

        /** The keep-alive period actually used: {@code keepaliveInterval}, at most a third of the idle timeout. */
        public Duration effectiveKeepalive() {
            Duration third = idleTimeout.dividedBy(3);
            return keepaliveInterval.compareTo(third) <= 0 ? keepaliveInterval : third;
        }
    }

    private final boolean client;
    private final ChannelType type;
    private final Settings settings;
    private final PinningTrustManager trustManager;
    private final UdpShim shim;
    private volatile Channel udp; // set once bound; null only while the constructor binds
    private final Runnable afterClose;
    private final CompletableFuture<Void> ready = new CompletableFuture<>();
    private final CompletableFuture<Void> closed = new CompletableFuture<>();
    private final AtomicBoolean released = new AtomicBoolean();
    private final ArrayBlockingQueue<byte[]> datagrams;
    private volatile QuicChannel quic;
    private volatile StreamPipe pipe;
    private volatile int maxDatagram = -1;
    private volatile String peerClose;

    private QuicEndpoint(boolean client, ChannelType type, Settings settings, PinningTrustManager trustManager,
                         UdpShim shim, IcePath path, String name, ClassLoader loader, EventLoopGroup group,
                         ChannelHandler codec, Runnable afterClose, QuicEndpoint[] self) {
        this.client = client;
        this.type = type;
        this.settings = settings;
        this.trustManager = trustManager;
        this.shim = shim;
        this.afterClose = afterClose;
        this.datagrams = new ArrayBlockingQueue<>(Math.max(1, settings.datagramQueue()));
        Bootstrap b = new Bootstrap().group(group).handler(codec);
        if (shim == null) {
            b.channelFactory((io.netty.channel.ChannelFactory<Channel>) () -> new IceDatagramChannel(path, name, loader));
        } else {
            b.channel(NioDatagramChannel.class)
                    .option(ChannelOption.SO_RCVBUF, 4 * 1024 * 1024)
                    .option(ChannelOption.SO_SNDBUF, 4 * 1024 * 1024);
        }
        // the server's codec hands connections to this endpoint; datagrams may be read as soon as the channel is bound
        // (the pair can be selected while the endpoint is built)
        self[0] = this;
        ChannelFuture bind = b.bind(shim == null ? IceDatagramChannel.LOCAL
                : new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        if (!bind.awaitUninterruptibly(BIND_TIMEOUT_SECONDS, TimeUnit.SECONDS) || !bind.isSuccess()) {
            bind.channel().close();
            if (shim != null) {
                shim.close();
            }
            throw new TransportException("cannot bind the QUIC socket" + (bind.isDone() ? "" : " within "
                    + BIND_TIMEOUT_SECONDS + " s (event loops busy)"), bind.cause());
        }
        this.udp = bind.channel();
        if (released.get()) {
            udp.close(); // failed while binding
        }
    }

    /**
     * Binds the QUIC socket and starts the shim. Nothing is sent until {@link #connect()} (client).
     *
     * @param afterClose run once when the endpoint is finished (closed by either side or by failure)
     */
    public static QuicEndpoint start(boolean client, ChannelType type, SessionCertificate local, byte[] peerFingerprint,
                                     Settings settings, EventLoopGroup group, IcePath path, String name,
                                     ClassLoader loader, Runnable afterClose) throws IOException {
        PinningTrustManager tm = new PinningTrustManager(peerFingerprint);
        UdpShim shim = settings.direct() ? null : new UdpShim(path, name);
        QuicEndpoint[] self = new QuicEndpoint[1];
        ChannelHandler codec;
        if (client) {
            QuicSslContext ssl = QuicSslContextBuilder.forClient()
                    .keyManager(local.privateKey(), null, local.certificate())
                    .trustManager(tm)
                    .applicationProtocols(ALPN)
                    .build();
            codec = tune(new QuicClientCodecBuilder(), type, settings).sslContext(ssl).build();
        } else {
            QuicSslContext ssl = QuicSslContextBuilder.forServer(local.privateKey(), null, local.certificate())
                    .trustManager(tm)
                    .clientAuth(ClientAuth.REQUIRE)
                    .applicationProtocols(ALPN)
                    .build();
            codec = tune(new QuicServerCodecBuilder(), type, settings).sslContext(ssl)
                    .tokenHandler(NO_RETRY)
                    .handler(new ChannelInitializer<QuicChannel>() {
                        @Override
                        protected void initChannel(QuicChannel ch) {
                            self[0].accepted(ch);
                        }
                    })
                    .streamHandler(new ChannelInitializer<QuicStreamChannel>() {
                        @Override
                        protected void initChannel(QuicStreamChannel ch) {
                            self[0].acceptedStream(ch);
                        }
                    })
                    .build();
        }
        QuicEndpoint ep = new QuicEndpoint(client, type, settings, tm, shim, path, name, loader, group, codec, afterClose,
                self);
        if (shim != null) {
            shim.start((InetSocketAddress) ep.udp.localAddress(), loader);
        }
        return ep;
    }

    private static <B extends QuicCodecBuilder<B>> B tune(B b, ChannelType type, Settings s) {
        b.maxIdleTimeout(s.idleTimeout().toMillis(), TimeUnit.MILLISECONDS)
                .initialMaxData(s.maxData())
                .initialMaxStreamDataBidirectionalLocal(s.maxStreamData())
                .initialMaxStreamDataBidirectionalRemote(s.maxStreamData())
                .initialMaxStreamsBidirectional(type == ChannelType.DATA ? 1 : 0)
                .activeMigration(false);
        // one unidirectional stream each way carries the keep-alives (see connected)
        b.initialMaxStreamsUnidirectional(1).initialMaxStreamDataUnidirectional(KEEPALIVE_WINDOW);
        if (type == ChannelType.STREAM) {
            b.datagram(s.datagramQueue(), s.datagramQueue());
        }
        return b;
    }

    /**
     * Completes when the handshake is complete (on the client for DATA also the stream opened; the server's pipe attaches
     * to the client's stream when it arrives); fails with {@link TransportException}.
     */
    public CompletableFuture<Void> ready() {
        return ready;
    }

    /** Client: starts the handshake towards the peer. */
    public void connect() {
        if (!client) {
            throw new IllegalStateException("server endpoints do not connect");
        }
        QuicChannel.newBootstrap(udp)
                // no connect timer of Netty's: the session's own timeout bounds the handshake, and Netty's 30 s timer
                // kept every connected channel (and its session) reachable for 30 s after the connect
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 0)
                .handler(new ConnectionHandler())
                .streamHandler(new ChannelInitializer<QuicStreamChannel>() {
                    @Override
                    protected void initChannel(QuicStreamChannel ch) {
                        if (ch.type() == QuicStreamType.UNIDIRECTIONAL) {
                            ch.pipeline().addLast(KeepaliveSink.INSTANCE);
                        } else {
                            ch.close(); // the server opens no bidirectional stream
                        }
                    }
                })
                .remoteAddress(shim == null ? IceDatagramChannel.PEER : shim.localAddress())
                .connect()
                .addListener(f -> {
                    if (!f.isSuccess()) {
                        handshakeFailed(f.cause());
                        return;
                    }
                    QuicChannel ch = (QuicChannel) f.getNow();
                    connected(ch);
                    if (type == ChannelType.STREAM) {
                        completeReadyAfterFlush(ch);
                        return;
                    }
                    StreamPipe p = new StreamPipe(false);
                    pipe = p;
                    ch.createStream(QuicStreamType.BIDIRECTIONAL, p).addListener(sf -> {
                        if (!sf.isSuccess()) {
                            ready.completeExceptionally(new TransportException("cannot open the QUIC stream", sf.cause()));
                            abort();
                            return;
                        }
                        QuicStreamChannel s = (QuicStreamChannel) sf.getNow();
                        s.writeAndFlush(Unpooled.wrappedBuffer(new byte[] {(byte) StreamPipe.PREAMBLE}));
                        completeReadyAfterFlush(ch);
                    });
                });
    }

    /**
     * Client: completes {@link #ready()} in the event loop's next task. The handshake completes while the codec reads the
     * server's flight, and the client's Finished that this read produced is sent when the read is complete. Completing
     * here would run every dependent (the session's channel, the daemon) first and hold the Finished back, by about a
     * millisecond on a loaded machine: a millisecond the server waits for before its channel is ready.
     */
    private void completeReadyAfterFlush(Channel ch) {
        try {
            ch.eventLoop().execute(() -> ready.complete(null));
        } catch (java.util.concurrent.RejectedExecutionException e) {
            ready.complete(null); // the loop is shutting down: nothing is sent any more, nothing to wait for
        }
    }

    private boolean acceptedOne; // event loop only
    private boolean streamAttached; // event loop only

    private void accepted(QuicChannel ch) {
        if (acceptedOne) {
            ch.close(); // exactly one connection per session
            return;
        }
        acceptedOne = true;
        ch.pipeline().addLast(new ConnectionHandler());
        ch.closeFuture().addListener(f -> {
            if (quic == null || quic == ch) {
                handshakeFailed(null);
            }
        });
    }

    private void acceptedStream(QuicStreamChannel ch) {
        if (ch.type() == QuicStreamType.UNIDIRECTIONAL) {
            ch.pipeline().addLast(KeepaliveSink.INSTANCE); // the peer's keep-alives (at most one such stream)
            return;
        }
        StreamPipe p = pipe;
        if (type != ChannelType.DATA || p == null || streamAttached || ch.type() != QuicStreamType.BIDIRECTIONAL) {
            ch.close();
            return;
        }
        streamAttached = true;
        ch.pipeline().addLast(p); // the pipe made at handshake completion (see ConnectionHandler.channelActive)
    }

    /**
     * The connection is up: from now on, every {@link Settings#effectiveKeepalive()} one byte goes out on a
     * unidirectional keep-alive stream (the peer drops it). It is ack-eliciting, so both ends' idle timers restart, and it
     * travels the selected ICE pair, which keeps NAT bindings and TURN permissions fresh. A peer that allows no
     * unidirectional stream (an older version) simply gets no keep-alives.
     */
    private void connected(QuicChannel ch) {
        quic = ch;
        long period = Math.max(1, settings.effectiveKeepalive().toMillis());
        QuicStreamChannel[] stream = new QuicStreamChannel[1];
        boolean[] refused = new boolean[1];
        io.netty.util.concurrent.ScheduledFuture<?> keepalive = ch.eventLoop().scheduleAtFixedRate(() -> {
            if (!ch.isActive() || refused[0]) {
                return;
            }
            if (stream[0] == null) {
                ch.createStream(QuicStreamType.UNIDIRECTIONAL, KeepaliveSink.INSTANCE).addListener(f -> {
                    if (f.isSuccess()) {
                        stream[0] = (QuicStreamChannel) f.getNow();
                        stream[0].writeAndFlush(Unpooled.wrappedBuffer(KEEPALIVE));
                    } else {
                        refused[0] = true;
                    }
                });
            } else if (stream[0].isActive()) {
                stream[0].writeAndFlush(Unpooled.wrappedBuffer(KEEPALIVE));
            }
        }, period, period, TimeUnit.MILLISECONDS);
        ch.closeFuture().addListener(f -> {
            keepalive.cancel(false);
            onConnectionClosed();
        });
    }



    private void handshakeFailed(Throwable cause) {
        if (ready.isDone()) {
            return;
        }
        String reason = trustManager.rejection();
        String msg;
        if (reason != null) {
            msg = "QUIC handshake failed: " + reason;
        } else {
            msg = "QUIC handshake failed" + (cause == null ? "" : ": " + cause) + (peerClose == null ? "" : " (peer: " + peerClose + ")");
        }
        ready.completeExceptionally(new TransportException(msg, cause));
        abort();
    }

    private void onConnectionClosed() {
        StreamPipe p = pipe;
        if (p != null) {
            p.abort(new IOException("connection closed" + (peerClose == null ? "" : " by peer: " + peerClose)));
        }
        handshakeFailed(null);
        releaseLater();
    }

    /**
     * Tears everything down without lingering; idempotent. The sockets close {@value #CLOSE_FLUSH_DELAY_MS} ms later so
     * that the CONNECTION_CLOSE (e.g. the TLS alert of a fingerprint mismatch) still reaches the peer.
     */
    public void abort() {
        QuicChannel q = quic;
        if (q != null) {
            q.close();
        }
        StreamPipe p = pipe;
        if (p != null) {
            p.discard();
        }
        releaseLater();
    }

    private void releaseLater() {
        Channel u = udp;
        if (u == null || u.eventLoop().isShuttingDown()) {
            release();
            return;
        }
        try {
            u.eventLoop().schedule(this::release, CLOSE_FLUSH_DELAY_MS, TimeUnit.MILLISECONDS).addListener(f -> {
                if (f.isCancelled()) {
                    release(); // the event loop shut down meanwhile and dropped its scheduled tasks
                }
            });
        } catch (java.util.concurrent.RejectedExecutionException e) {
            release();
        }
    }

    private void release() {
        if (!released.compareAndSet(false, true)) {
            return;
        }
        Channel u = udp;
        if (u != null) {
            u.close();
        }
        if (shim != null) {
            shim.close();
        }
        synchronized (datagrams) {
            datagrams.notifyAll();
        }
        try {
            afterClose.run();
        } finally {
            closed.complete(null);
        }
    }

    /** Completes once every socket of this endpoint is closed. */
    public CompletableFuture<Void> closed() {
        return closed;
    }

    /** The application's view, once {@link #ready()} completed. */
    public P2PChannel channel(PathKind path, byte[] binding) {
        if (!ready.isDone() || ready.isCompletedExceptionally()) {
            throw new IllegalStateException("not ready");
        }
        return new Quic2PChannel(path, binding.clone());
    }

    private final class ConnectionHandler extends ChannelInboundHandlerAdapter {
        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            if (!client) {
                // The handshake is complete: the client proved its pinned certificate, so the server's channel is ready
                // now. Its DATA stream arrives with the client's next packet; the pipe waits for it (StreamPipe).
                connected((QuicChannel) ctx.channel());
                if (type == ChannelType.DATA) {
                    pipe = new StreamPipe(true);
                }
                // At once, before what this read produced (acknowledgements, HANDSHAKE_DONE) is flushed: the server is
                // the caller, and without authentication its application waits for these dependents. (With it, the
                // callee waits for HANDSHAKE_DONE instead; completing after the flush there has not been measured.)
                ready.complete(null);
            }
            ctx.fireChannelActive();
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (!(msg instanceof ByteBuf buf)) {
                ctx.fireChannelRead(msg); // new QuicStreamChannels travel this way to the stream handler
                return;
            }
            try {
                if (type == ChannelType.STREAM) {
                    byte[] d = new byte[buf.readableBytes()];
                    buf.readBytes(d);
                    if (datagrams.offer(d)) {
                        synchronized (datagrams) {
                            datagrams.notifyAll();
                        }
                    } // else: queue full, dropped (datagrams are unreliable)
                }
            } finally {
                buf.release();
            }
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            if (evt instanceof QuicDatagramExtensionEvent e) {
                maxDatagram = e.maxLength();
            } else if (evt instanceof QuicConnectionCloseEvent e) {
                peerClose = describe(e);
            }
            ctx.fireUserEventTriggered(evt);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            if (!ready.isDone()) {
                handshakeFailed(cause);
            }
            ctx.close();
        }
    }

    private static String describe(QuicConnectionCloseEvent e) {
        String what = e.isTlsError() ? "TLS alert " + QuicConnectionCloseEvent.extractTlsError(e.error())
                : (e.isApplicationClose() ? "application close " : "transport error ") + e.error();
        byte[] reason;
        try {
            reason = e.reason();
        } catch (RuntimeException noReason) { // Netty 4.2.18 clones a null reason
            reason = null;
        }
        return reason == null || reason.length == 0 ? what
                : what + " " + new String(reason, java.nio.charset.StandardCharsets.UTF_8);
    }

    /** The {@link P2PChannel} handed to the application. */
    private final class Quic2PChannel implements P2PChannel {
        private final PathKind path;
        private final byte[] binding;
        private final AtomicBoolean closing = new AtomicBoolean();
        private final AtomicInteger congestionDrops = new AtomicInteger();

        Quic2PChannel(PathKind path, byte[] binding) {
            this.path = path;
            this.binding = binding;
        }

        @Override
        public ChannelType type() {
            return type;
        }

        @Override
        public PathKind path() {
            return path;
        }

        @Override
        public byte[] channelBinding() {
            return binding.clone();
        }

        @Override
        public InputStream input() {
            requireType(ChannelType.DATA);
            return pipe.input();
        }

        @Override
        public OutputStream output() {
            requireType(ChannelType.DATA);
            return pipe.output();
        }

        @Override
        public int maxDatagramSize() {
            if (type != ChannelType.STREAM) {
                return 0;
            }
            int m = maxDatagram;
            if (m > 0) {
                return m;
            }
            QuicChannel q = quic;
            long peer = q == null || q.peerTransportParameters() == null ? 0 : q.peerTransportParameters().maxDatagramFrameSize();
            return (int) Math.max(0, Math.min(peer, 1200)); // conservative until quiche reports its exact limit
        }

        @Override
        public void sendDatagram(byte[] datagram) throws IOException {
            requireType(ChannelType.STREAM);
            if (datagram.length > maxDatagramSize()) {
                throw new IllegalArgumentException("datagram of " + datagram.length + " bytes exceeds " + maxDatagramSize());
            }
            QuicChannel q = quic;
            if (closing.get() || released.get() || q == null || !q.isActive()) {
                throw new IOException("channel closed");
            }
            long end = System.nanoTime() + CONGESTION_WAIT_NANOS;
            while (!q.isWritable() && q.isActive() && System.nanoTime() < end) {
                LockSupport.parkNanos(100_000); // a burst meets a full window: brief back-pressure
            }
            if (!q.isWritable()) {
                int n = congestionDrops.incrementAndGet();
                if (n == 1 || n % 1000 == 0) {
                    LOG.info("STREAM channel congested: " + n + " datagram(s) dropped so far");
                }
                return; // congested: dropped rather than queued without bound
            }
            q.writeAndFlush(Unpooled.copiedBuffer(datagram));
        }

        @Override
        public byte[] receiveDatagram() throws InterruptedException {
            requireType(ChannelType.STREAM);
            while (true) {
                byte[] d = datagrams.poll();
                if (d != null) {
                    return d;
                }
                if (released.get() || closing.get()) {
                    return null;
                }
                synchronized (datagrams) {
                    if (datagrams.isEmpty() && !released.get()) {
                        datagrams.wait(200);
                    }
                }
            }
        }

        @Override
        public CompletableFuture<Void> closeFuture() {
            return closed;
        }

        @Override
        public void close() {
            if (!closing.compareAndSet(false, true)) {
                return;
            }
            StreamPipe p = pipe;
            try {
                if (p != null && !released.get()) {
                    p.finishOutput();
                    p.awaitClosed(settings.closeLinger().toMillis());
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            if (p != null) {
                p.discard();
            }
            QuicChannel q = quic;
            if (q != null && q.isOpen()) {
                q.close(true, 0, Unpooled.EMPTY_BUFFER); // -> onConnectionClosed -> release after the close is sent
            } else {
                release();
            }
            try {
                closed.get(2 * CLOSE_FLUSH_DELAY_MS + 1000, TimeUnit.MILLISECONDS);
            } catch (Exception e) {
                release();
            }
        }

        private void requireType(ChannelType wanted) {
            if (type != wanted) {
                throw new IllegalStateException("not a " + wanted + " channel");
            }
        }
    }
}
