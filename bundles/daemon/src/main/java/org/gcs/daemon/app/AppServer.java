package org.gcs.daemon.app;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import java.io.IOException;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import org.gcs.api.wire.AppWire.AppFrame;
import org.gcs.daemon.unix.UnixSocketServer;
import org.gcs.daemon.wire.ProtoFrames;

/**
 * The endpoints applications connect to: a Unix domain socket in a directory only the user can enter, and optionally
 * a TCP port whose applications must present the cookie. Each accepted connection gets the frame codec and its own
 * {@link AppHandler}, admitted by its endpoint's {@link AppAdmission}.
 *
 * <pre>{@code
 * AppServer server = new AppServer(backend, group, executor);
 * server.bindUnix(stateDir.resolve("api/daemon.sock"), AppAdmission.ownerOnly("unix ...", timeout, 64));
 * int port = server.bindTcp("127.0.0.1", 0, AppAdmission.withCookie("tcp ...", cookie, timeout, 64));
 * }</pre>
 */
public final class AppServer implements AutoCloseable {
    private static final Logger LOG = System.getLogger(AppServer.class.getName());
    /** sun_path holds 108 bytes on Linux, 104 on macOS, including the terminating zero. */
    static final int MAX_SOCKET_PATH_BYTES = 103;

    private final AppBackend backend;
    private final EventLoopGroup group;
    private final Executor threads;
    private final List<Channel> tcpServers = new CopyOnWriteArrayList<>();
    private final List<UnixSocketServer> unixServers = new CopyOnWriteArrayList<>();

    public AppServer(AppBackend backend, EventLoopGroup group, Executor threads) {
        this.backend = backend;
        this.group = group;
        this.threads = threads;
    }

    /** Adds the codec and protocol handler of one application connection to its pipeline. */
    public static void initPipeline(Channel ch, AppBackend backend, AppAdmission admission, Executor threads) {
        ProtoFrames.install(ch.pipeline(), AppFrame.parser());
        ch.pipeline().addLast("gcs-app", new AppHandler(backend, admission, threads));
    }

    /**
     * Listens on {@code host:port} ({@code 0} = any free port) and returns the port bound. A non-loopback address is
     * logged as a warning: the settings let it through only with {@code api.allow.remote=true}.
     */
    public int bindTcp(String host, int port, AppAdmission admission) throws InterruptedException {
        Channel server = new ServerBootstrap()
                .group(group)
                .channel(NioServerSocketChannel.class)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(initializer(admission))
                .bind(host, port).sync().channel();
        tcpServers.add(server);
        InetSocketAddress bound = (InetSocketAddress) server.localAddress();
        if (!bound.getAddress().isLoopbackAddress()) {
            String warning = "WARNING: the application API listens on " + host + ":" + bound.getPort()
                    + ", reachable from other machines (api.allow.remote=true). Anyone who learns the cookie can read"
                    + " the friends list and connect to friends as this user, and the cookie crosses the network in"
                    + " clear text.";
            LOG.log(Level.WARNING, warning);
            System.err.println(warning);
        }
        LOG.log(Level.INFO, "application API listening on tcp " + host + ":" + bound.getPort() + " (cookie required)");
        return bound.getPort();
    }

    /**
     * Listens on the Unix domain socket {@code socket}: its directory is created 0700 (or must already be this user's
     * and closed to group and others), a stale socket file left by a daemon that died is replaced, and the socket is
     * made 0600. While it was briefly wider, nobody else could reach it through the private directory. Connections are
     * {@link org.gcs.daemon.unix.UnixStreamChannel}s, which keep half-closure working for pipes.
     *
     * @throws IOException if the directory is not private, another process serves the socket, or binding fails
     */
    public void bindUnix(Path socket, AppAdmission admission) throws IOException {
        Path path = socket.toAbsolutePath();
        int length = path.toString().getBytes(StandardCharsets.UTF_8).length;
        if (length > MAX_SOCKET_PATH_BYTES) {
            throw new IOException("the application socket path " + path + " is " + length + " bytes long; Unix domain"
                    + " sockets allow at most " + MAX_SOCKET_PATH_BYTES + ": set api.socket to a shorter path");
        }
        OwnerOnlyFiles.requirePrivateDirectory(path.getParent());
        removeStale(path);
        UnixSocketServer server;
        try {
            server = UnixSocketServer.bind(path, group, initializer(admission));
        } catch (IOException e) {
            throw new IOException("cannot listen on the application socket " + path + ": " + e, e);
        }
        unixServers.add(server);
        Files.setPosixFilePermissions(path, OwnerOnlyFiles.FILE);
        LOG.log(Level.INFO, "application API listening on unix socket " + path + " (this user only)");
    }

    /** Deletes a socket file nobody listens on; refuses a live one and anything that is not a socket. */
    private static void removeStale(Path socket) throws IOException {
        BasicFileAttributes a;
        try {
            a = Files.readAttributes(socket, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (java.nio.file.NoSuchFileException e) {
            return;
        }
        if (!a.isOther()) {
            throw new IOException("refusing to replace " + socket + ": it is not a socket; remove it or set api.socket");
        }
        try (SocketChannel probe = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            probe.connect(UnixDomainSocketAddress.of(socket));
        } catch (ConnectException e) {
            Files.deleteIfExists(socket); // left by a daemon that did not stop cleanly
            return;
        }
        throw new IOException("another process already serves the application socket " + socket
                + " (a daemon with the same state.dir or api.socket?)");
    }

    private ChannelInitializer<Channel> initializer(AppAdmission admission) {
        return new ChannelInitializer<>() {
            @Override
            protected void initChannel(Channel ch) {
                initPipeline(ch, backend, admission, threads);
            }
        };
    }

    /** Stops accepting (the socket file goes); connections already accepted stay until the event loops stop. */
    @Override
    public void close() {
        for (Channel server : tcpServers) {
            server.close().awaitUninterruptibly(2, TimeUnit.SECONDS);
        }
        tcpServers.clear();
        for (UnixSocketServer server : unixServers) {
            server.close();
        }
        unixServers.clear();
    }
}
