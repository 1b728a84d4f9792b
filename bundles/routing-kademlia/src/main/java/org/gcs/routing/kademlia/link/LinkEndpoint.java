package org.gcs.routing.kademlia.link;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.flush.FlushConsolidationHandler;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import javax.net.ssl.SSLException;
import org.gcs.api.NodeId;
import org.gcs.routing.kademlia.link.wire.LinkWire.LinkFrame;

/**
 * One node's end of its links to other nodes: a TLS 1.3-only listener (mutual TLS: a dialing node must present its
 * self-signed node certificate) and a dialer that pins the node it dials by its {@link NodeId}. At most one link per
 * peer is in use, whichever node opened it; calls and messages go both ways over it.
 *
 * <pre>{@code
 * LinkEndpoint endpoint = LinkEndpoint.builder(keys, (peer, peerAddress, method, body) -> answer(method, body))
 *         .messageHandler((peer, peerAddress, method, body) -> ...)
 *         .listen("0.0.0.0", 7100)
 *         .advertisedHost("203.0.113.7")
 *         .config(LinkConfig.defaults())
 *         .start();                                       // binds; blocks briefly
 * endpoint.link(otherId, new InetSocketAddress("203.0.113.9", 7100))
 *         .thenCompose(link -> link.call(1, request));
 * ...
 * endpoint.close();                                      // closes every link, stops the threads
 * }</pre>
 *
 * <p>Threads: the endpoint owns its Netty event loops ({@link LinkConfig#ioThreads()} daemon threads named
 * {@code gcs-link-io-*}, one {@code gcs-link-accept-*}). Each link lives on one event loop: the handlers run there,
 * and the futures of {@link #link} and {@link Link#call} complete there; none of them may block. {@link #start},
 * {@link #link}, {@link #close} and the getters may be called from any thread; {@code start} and {@code close} block
 * (bounded) and must not be called on an event loop.
 */
public final class LinkEndpoint implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(LinkEndpoint.class.getName());

    private final NodeKeys keys;
    private final LinkConfig config;
    private final LinkContext context;
    private final SslContext listenerTls;
    private final EventLoopGroup acceptor;
    private final EventLoopGroup workers;
    private final ByteCounter bytes = new ByteCounter();
    private final AtomicInteger inbound = new AtomicInteger();
    private final Set<ChannelLink> links = ConcurrentHashMap.newKeySet();
    private final AtomicBoolean closed = new AtomicBoolean();
    private Channel listener;
    private InetSocketAddress listenAddress;

    private LinkEndpoint(Builder builder) throws SSLException {
        this.keys = builder.keys;
        this.config = builder.config;
        this.context = new LinkContext(keys.id(), config, builder.requests, builder.messages,
                new LinkRegistry(keys.id()), new AtomicReference<>());
        this.listenerTls = LinkTls.listener(keys);
        this.acceptor = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("gcs-link-accept", true),
                NioIoHandler.newFactory());
        this.workers = new MultiThreadIoEventLoopGroup(config.ioThreads(), new DefaultThreadFactory("gcs-link-io", true),
                NioIoHandler.newFactory());
    }

    /** Starts describing an endpoint for {@code keys} whose peers' calls {@code requests} answers. */
    public static Builder builder(NodeKeys keys, RequestHandler requests) {
        return new Builder(keys, requests);
    }

    /** How to set up an endpoint; {@link #start()} makes it. Not thread-safe; use it on one thread. */
    public static final class Builder {
        private final NodeKeys keys;
        private final RequestHandler requests;
        private MessageHandler messages = MessageHandler.IGNORE;
        private LinkConfig config = LinkConfig.defaults();
        private String host = "127.0.0.1";
        private int port;
        private String advertisedHost;

        private Builder(NodeKeys keys, RequestHandler requests) {
            this.keys = Objects.requireNonNull(keys, "keys");
            this.requests = Objects.requireNonNull(requests, "requests");
        }

        /** Receives one-way messages; by default they are ignored. */
        public Builder messageHandler(MessageHandler messages) {
            this.messages = Objects.requireNonNull(messages, "messages");
            return this;
        }

        /** The limits; {@link LinkConfig#defaults()} if not set. */
        public Builder config(LinkConfig config) {
            this.config = Objects.requireNonNull(config, "config");
            return this;
        }

        /** Where to listen: an IP address (or host name resolved now) and a port, 0 for any; 127.0.0.1:0 if not set. */
        public Builder listen(String host, int port) {
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException("port must be 0 to 65535: " + port);
            }
            this.host = Objects.requireNonNull(host, "host");
            this.port = port;
            return this;
        }

        /**
         * The host peers should dial, sent in this node's {@code LinkHello}. By default the listen host, or, when
         * listening on a wildcard address, nothing: peers then use the address the link comes from.
         */
        public Builder advertisedHost(String host) {
            this.advertisedHost = Objects.requireNonNull(host, "host");
            return this;
        }

        /**
         * Binds the listener and returns the running endpoint. Blocks until bound (at most the connect timeout).
         *
         * @throws IOException if the address cannot be bound or TLS cannot be set up
         */
        public LinkEndpoint start() throws IOException {
            LinkEndpoint endpoint;
            try {
                endpoint = new LinkEndpoint(this);
            } catch (SSLException e) {
                throw new IOException("cannot set up TLS 1.3 for node " + keys.id() + ": " + e.getMessage(), e);
            }
            try {
                endpoint.bind(host, port, advertisedHost);
            } catch (IOException | RuntimeException e) {
                endpoint.close();
                throw e;
            }
            return endpoint;
        }
    }

    private void bind(String host, int port, String advertisedHost) throws IOException {
        ChannelFuture bound = new ServerBootstrap()
                .group(acceptor, workers)
                .channel(NioServerSocketChannel.class)
                .option(ChannelOption.SO_BACKLOG, 256)
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, waterMark())
                .childOption(ChannelOption.MESSAGE_SIZE_ESTIMATOR, LinkCodec.FRAME_SIZE_ESTIMATOR)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel channel) {
                        accept(channel);
                    }
                })
                .bind(host, port);
        if (!bound.awaitUninterruptibly(config.connectTimeout().toMillis()) || !bound.isSuccess()) {
            Throwable cause = bound.cause();
            throw new IOException("cannot listen on " + host + ":" + port + ": "
                    + (cause == null ? "timed out" : cause.getMessage()), cause);
        }
        listener = bound.channel();
        listenAddress = (InetSocketAddress) listener.localAddress();
        String advertised = advertisedHost != null ? advertisedHost
                : listenAddress.getAddress().isAnyLocalAddress() ? "" : listenAddress.getAddress().getHostAddress();
        context.hello().set(LinkFrames.hello(keys.id(), advertised, listenAddress.getPort()));
        LOG.log(Level.INFO, () -> "node " + keys.id() + " accepts links on " + listenAddress);
    }

    /** This node's id. */
    public NodeId id() {
        return keys.id();
    }

    /** The address the listener is bound to (with the actual port). */
    public InetSocketAddress listenAddress() {
        return listenAddress;
    }

    /** The limits in force. */
    public LinkConfig config() {
        return config;
    }

    /**
     * The link to node {@code peer}: the open one if there is one (whichever node dialed it), else the dial in progress
     * to it, else a new dial to {@code address}. A dial accepts the peer only if its certificate's key hashes to
     * {@code peer}. Never blocks; pass a resolved address (an unresolved one is resolved on an event loop).
     *
     * @return completes with the link once both hellos checked out; fails with {@link PeerIdentityException} if
     *     the node at {@code address} is another node, {@link LinkClosedException} if no link could be opened, or
     *     {@link IllegalArgumentException} if {@code peer} is this node
     */
    public CompletableFuture<Link> link(NodeId peer, InetSocketAddress address) {
        Objects.requireNonNull(peer, "peer");
        Objects.requireNonNull(address, "address");
        if (peer.equals(keys.id())) {
            return CompletableFuture.failedFuture(new IllegalArgumentException("a node does not link to itself"));
        }
        if (closed.get()) {
            return CompletableFuture.failedFuture(new LinkClosedException("the link endpoint is closed"));
        }
        return context.registry().linkTo(peer, dial -> dial(peer, address, dial));
    }

    /**
     * One request to node {@code peer} over its link (opened as {@link #link} does), answered within {@code timeout}.
     * Never throws: every failure, a bad argument included, fails the returned future.
     */
    public CompletableFuture<byte[]> call(NodeId peer, InetSocketAddress address, int method, byte[] body,
            Duration timeout) {
        try {
            return link(peer, address).thenCompose(link -> link.call(method, body, timeout));
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    /** The open link to {@code peer}, if there is one; never dials. */
    public Optional<Link> existingLink(NodeId peer) {
        return Optional.ofNullable(context.registry().preferred(peer));
    }

    /** The open links in use, one per peer. */
    public Collection<Link> links() {
        return context.registry().all();
    }

    /** Connections accepted by the listener and not closed yet (links, and connections still in their handshake). */
    public int inboundConnections() {
        return inbound.get();
    }

    /** Bytes read from all links' sockets since the start, TLS records included. */
    public long bytesRead() {
        return bytes.read();
    }

    /** Bytes handed to all links' sockets since the start, TLS records included. */
    public long bytesWritten() {
        return bytes.written();
    }

    /**
     * Closes the listener and every link (peers are told; calls still waiting fail with {@link LinkClosedException}),
     * fails dials in progress, and stops the event loops. Blocks up to about 5 s. Idempotent.
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        context.registry().close();
        if (listener != null) {
            listener.close().awaitUninterruptibly(2, TimeUnit.SECONDS);
        }
        List<CompletableFuture<Void>> closing = new ArrayList<>();
        for (ChannelLink link : links) {
            link.close("node " + keys.id() + " closed its link endpoint");
            closing.add(link.closeFuture());
        }
        try {
            CompletableFuture.allOf(closing.toArray(CompletableFuture[]::new)).get(2, TimeUnit.SECONDS);
        } catch (Exception e) {
            LOG.log(Level.DEBUG, () -> "links still closing after 2 s: " + e);
        }
        var acceptorDone = acceptor.shutdownGracefully(0, 1, TimeUnit.SECONDS);
        var workersDone = workers.shutdownGracefully(0, 1, TimeUnit.SECONDS);
        acceptorDone.awaitUninterruptibly(3, TimeUnit.SECONDS);
        workersDone.awaitUninterruptibly(3, TimeUnit.SECONDS);
        links.forEach(ChannelLink::onChannelClosed); // links whose event loop ended before they noticed; idempotent
        LOG.log(Level.INFO, () -> "node " + keys.id() + " closed its link endpoint");
    }

    private void accept(SocketChannel channel) {
        if (closed.get()) {
            channel.close();
            return;
        }
        if (inbound.incrementAndGet() > config.maxInboundLinks()) {
            inbound.decrementAndGet();
            LOG.log(Level.INFO, () -> "refused a link from " + channel.remoteAddress() + ": already "
                    + config.maxInboundLinks() + " inbound links");
            channel.close();
            return;
        }
        channel.closeFuture().addListener(f -> inbound.decrementAndGet());
        install(channel, listenerTls.newHandler(channel.alloc()), null, null);
    }

    private void dial(NodeId peer, InetSocketAddress address, CompletableFuture<Link> dial) {
        PinnedNodeTrustManager pin = new PinnedNodeTrustManager(peer);
        SslContext tls;
        try {
            tls = LinkTls.dialer(keys, pin);
        } catch (SSLException e) {
            dial.completeExceptionally(new LinkClosedException("cannot set up TLS 1.3: " + e.getMessage(), e));
            return;
        }
        ChannelFuture connect = new Bootstrap()
                .group(workers)
                .channel(NioSocketChannel.class)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) config.connectTimeout().toMillis())
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.WRITE_BUFFER_WATER_MARK, waterMark())
                .option(ChannelOption.MESSAGE_SIZE_ESTIMATOR, LinkCodec.FRAME_SIZE_ESTIMATOR)
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel channel) {
                        ChannelLink link = install(channel, tls.newHandler(channel.alloc()), pin, peer);
                        link.openedFuture().whenComplete((use, failure) -> {
                            if (failure != null) {
                                dial.completeExceptionally(failure);
                            } else {
                                dial.complete(use);
                            }
                        });
                    }
                })
                .connect(address);
        connect.addListener(connected -> {
            if (!connected.isSuccess()) {
                Throwable cause = connected.cause();
                dial.completeExceptionally(new LinkClosedException("cannot connect to node " + peer + " at " + address
                        + ": " + cause.getMessage(), cause));
                connect.channel().close();
            }
        });
    }

    /** Builds a link's pipeline: bytes - idle - tls - flush - frames - length - decode - encode - link. */
    private ChannelLink install(SocketChannel channel, SslHandler tls, PinnedNodeTrustManager pin, NodeId dialed) {
        ChannelLink link = new ChannelLink(channel, dialed != null, context);
        links.add(link);
        channel.closeFuture().addListener(f -> {
            link.onChannelClosed();
            links.remove(link);
        });
        tls.setHandshakeTimeoutMillis(config.handshakeTimeout().toMillis());
        tls.setCloseNotifyFlushTimeoutMillis(1000);
        tls.setCloseNotifyReadTimeoutMillis(0);
        ChannelPipeline pipeline = channel.pipeline();
        pipeline.addLast("bytes", bytes);
        pipeline.addLast("idle", new IdleStateHandler(config.idleTimeout().toMillis(),
                config.keepaliveInterval().toMillis(), 0, TimeUnit.MILLISECONDS));
        pipeline.addLast("tls", tls);
        pipeline.addLast("flush", new FlushConsolidationHandler(64, true));
        LinkCodec.install(pipeline, config.maxFrameBytes());
        pipeline.addLast("link", new LinkHandler(link, context, pin, dialed));
        return link;
    }

    private WriteBufferWaterMark waterMark() {
        return new WriteBufferWaterMark(config.maxWriteBufferBytes() / 2, config.maxWriteBufferBytes());
    }

    /** The hello this endpoint sends (tests). */
    LinkFrame hello() {
        return context.hello().get();
    }
}
