package org.gcs.daemon.app;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.net.InetSocketAddress;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import org.gcs.api.wire.AppWire.AppFrame;
import org.gcs.daemon.wire.ProtoFrames;

/**
 * The loopback server applications connect to. Each accepted connection gets the frame codec and its own
 * {@link AppHandler}.
 *
 * <pre>{@code
 * AppServer server = new AppServer(backend, group, executor);
 * int port = server.bind("127.0.0.1", 0);
 * }</pre>
 */
public final class AppServer implements AutoCloseable {
    private static final Logger LOG = System.getLogger(AppServer.class.getName());

    private final AppBackend backend;
    private final EventLoopGroup group;
    private final Executor threads;
    private Channel server;

    public AppServer(AppBackend backend, EventLoopGroup group, Executor threads) {
        this.backend = backend;
        this.group = group;
        this.threads = threads;
    }

    /** Adds the codec and protocol handler of one application connection to its pipeline. */
    public static void initPipeline(Channel ch, AppBackend backend, Executor threads) {
        ProtoFrames.install(ch.pipeline(), AppFrame.parser());
        ch.pipeline().addLast("gcs-app", new AppHandler(backend, threads));
    }

    /** Listens on {@code host:port} ({@code 0} = any free port) and returns the port bound. */
    public int bind(String host, int port) throws InterruptedException {
        server = new ServerBootstrap()
                .group(group)
                .channel(NioServerSocketChannel.class)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        initPipeline(ch, backend, threads);
                    }
                })
                .bind(host, port).sync().channel();
        int bound = ((InetSocketAddress) server.localAddress()).getPort();
        LOG.log(Level.INFO, "application API listening on " + host + ":" + bound);
        return bound;
    }

    @Override
    public void close() {
        if (server != null) {
            server.close().awaitUninterruptibly(2, TimeUnit.SECONDS);
        }
    }
}
