package org.gcs.daemon.unix;

import io.netty.channel.ChannelHandler;
import io.netty.channel.EventLoopGroup;
import java.io.IOException;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Listens on a Unix domain socket and hands every accepted connection to {@code group} as a {@link UnixStreamChannel}
 * whose pipeline starts with {@code childHandler}. One thread blocks in {@code accept()}; everything after runs on the
 * event loops. Closing stops accepting and removes the socket file; accepted connections stay open.
 *
 * <pre>{@code
 * UnixSocketServer server = UnixSocketServer.bind(path, group, new ChannelInitializer<Channel>() { ... });
 * ...
 * server.close();
 * }</pre>
 */
public final class UnixSocketServer implements AutoCloseable {
    private static final Logger LOG = System.getLogger(UnixSocketServer.class.getName());
    private static final long RETRY_MILLIS = 100;

    private final Path path;
    private final ServerSocketChannel server;
    private final EventLoopGroup group;
    private final ChannelHandler childHandler;
    private final Thread acceptor;

    private UnixSocketServer(Path path, ServerSocketChannel server, EventLoopGroup group, ChannelHandler childHandler) {
        this.path = path;
        this.server = server;
        this.group = group;
        this.childHandler = childHandler;
        this.acceptor = new Thread(this::acceptLoop, "gcs-unix-accept " + path.getFileName());
        this.acceptor.setDaemon(true);
    }

    /** Binds {@code path} (which must not exist) and starts accepting. */
    public static UnixSocketServer bind(Path path, EventLoopGroup group, ChannelHandler childHandler) throws IOException {
        ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            server.bind(UnixDomainSocketAddress.of(path));
        } catch (IOException | RuntimeException e) {
            server.close();
            throw e;
        }
        UnixSocketServer s = new UnixSocketServer(path, server, group, childHandler);
        s.acceptor.start();
        return s;
    }

    public Path path() {
        return path;
    }

    private void acceptLoop() {
        while (server.isOpen()) {
            SocketChannel accepted;
            try {
                accepted = server.accept();
            } catch (ClosedChannelException e) {
                return;
            } catch (IOException e) {
                // e.g. out of file descriptors: the condition may pass, and spinning would not help it
                LOG.log(Level.WARNING, "accepting on " + path + " failed: " + e + "; retrying in " + RETRY_MILLIS + " ms");
                if (!pause()) {
                    return;
                }
                continue;
            }
            try {
                UnixStreamChannel child = new UnixStreamChannel(null, accepted);
                child.pipeline().addLast(childHandler);
                group.register(child).addListener(f -> {
                    if (!f.isSuccess()) {
                        LOG.log(Level.WARNING, "could not register a connection on " + path + ": " + f.cause());
                        child.unsafe().closeForcibly();
                    }
                });
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "dropping a connection on " + path + ": " + e);
                try {
                    accepted.close();
                } catch (IOException ignored) {
                    // already failing
                }
            }
        }
    }

    private boolean pause() {
        try {
            Thread.sleep(RETRY_MILLIS);
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    @Override
    public void close() {
        try {
            server.close();
        } catch (IOException e) {
            LOG.log(Level.DEBUG, "closing " + path + ": " + e);
        }
        try {
            acceptor.join(2_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            Files.deleteIfExists(path);
        } catch (IOException e) {
            LOG.log(Level.WARNING, "could not remove the socket file " + path + ": " + e);
        }
    }
}
