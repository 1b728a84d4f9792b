package org.gcs.node.net;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.net.InetSocketAddress;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLException;
import org.gcs.internal.stun.StunResponder;

/**
 * The sockets of a node on Netty NIO: the TLS 1.3 listener for daemons and the UDP STUN responder. Binding happens in
 * the caller's thread (component activation), never on an event loop.
 */
public final class NodeServer implements AutoCloseable {
    private static final int WORKER_THREADS = Math.max(2, Runtime.getRuntime().availableProcessors());

    private final String host;
    private final EventLoopGroup boss = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("gcs-node-accept", true),
            NioIoHandler.newFactory());
    private final EventLoopGroup workers = new MultiThreadIoEventLoopGroup(WORKER_THREADS,
            new DefaultThreadFactory("gcs-node-io", true), NioIoHandler.newFactory());
    private final List<Channel> bound = new ArrayList<>();

    public NodeServer(String host) {
        this.host = host;
    }

    /** A TLS 1.3-only server context (JDK provider) for the node's key and self-signed certificate. */
    public static SslContext tlsContext(PrivateKey key, X509Certificate certificate) throws SSLException {
        return SslContextBuilder.forServer(key, certificate)
                .sslProvider(SslProvider.JDK)
                .protocols("TLSv1.3")
                .build();
    }

    /** Binds the STUN responder; returns the actual port. */
    public int bindStun(int port, StunResponder responder) throws InterruptedException {
        return register(responder.bind(boss, host, port));
    }

    /** Binds the daemon listener; returns the actual port. */
    public int bindTls(int port, ChannelInitializer<SocketChannel> initializer) throws InterruptedException {
        Channel channel = new ServerBootstrap()
                .group(boss, workers)
                .channel(NioServerSocketChannel.class)
                .option(ChannelOption.SO_BACKLOG, 256)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(initializer)
                .bind(host, port).sync().channel();
        return register(channel);
    }

    private synchronized int register(Channel channel) {
        bound.add(channel);
        return ((InetSocketAddress) channel.localAddress()).getPort();
    }

    /** Closes the listeners and every connection, and waits (bounded) for the event loops to end. */
    @Override
    public void close() {
        synchronized (this) {
            bound.forEach(Channel::close);
            bound.clear();
        }
        var bossDone = boss.shutdownGracefully(0, 2, TimeUnit.SECONDS);
        var workersDone = workers.shutdownGracefully(0, 2, TimeUnit.SECONDS);
        bossDone.awaitUninterruptibly(5, TimeUnit.SECONDS);
        workersDone.awaitUninterruptibly(5, TimeUnit.SECONDS);
    }
}
