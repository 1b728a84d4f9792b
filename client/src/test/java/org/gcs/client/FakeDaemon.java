package org.gcs.client;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.gcs.api.wire.AppWire;
import org.gcs.api.wire.Frames;
import org.gcs.api.wire.WireVersions;
import org.gcs.client.internal.LocalSocket;
import org.gcs.client.internal.TcpSocket;
import org.gcs.client.internal.UnixSocket;

/**
 * Test double of the daemon's application endpoint for client unit tests: a loopback server socket (or a Unix domain
 * socket, {@link #unix}) whose connections are each served by a {@link Script} on a thread of their own. Every read is
 * bounded by a timeout.
 */
final class FakeDaemon implements AutoCloseable {
    static final String USER = "pk:alice";
    static final String DEVICE = "laptop";
    static final int READ_TIMEOUT_MS = 5_000;

    @FunctionalInterface
    interface Script {
        void run(Conn conn) throws Exception;
    }

    /** One accepted connection, from the daemon's side. */
    static final class Conn implements AutoCloseable {
        final LocalSocket socket;
        final int index;
        final InputStream in;
        final OutputStream out;

        Conn(LocalSocket socket, int index) throws IOException {
            this.socket = socket;
            this.index = index;
            socket.setReadTimeout(Duration.ofMillis(READ_TIMEOUT_MS));
            this.in = new BufferedInputStream(socket.input());
            this.out = socket.output();
        }

        /** The next frame, or null at end of stream. */
        AppWire.AppFrame read() throws IOException {
            byte[] bytes = Frames.read(in, WireVersions.MAX_FRAME_BYTES);
            return bytes == null ? null : AppWire.AppFrame.parseFrom(bytes);
        }

        void send(AppWire.AppFrame frame) throws IOException {
            Frames.write(out, frame.toByteArray());
        }

        /** Reads AppHello and answers the standard AppWelcome; returns the hello. */
        AppWire.AppHello welcome() throws IOException {
            AppWire.AppHello hello = readHello();
            sendWelcome();
            return hello;
        }

        /** Reads AppHello and answers AppWelcome if it carries {@code cookie}, else APP_UNAUTHORIZED; returns which. */
        boolean welcomeWithCookie(String cookie) throws IOException {
            AppWire.AppHello hello = readHello();
            if (!hello.getCookie().equals(cookie)) {
                send(AppWire.AppFrame.newBuilder().setError(AppWire.AppError.newBuilder()
                        .setCode(AppWire.AppErrorCode.APP_UNAUTHORIZED).setMessage("no cookie")).build());
                return false;
            }
            sendWelcome();
            return true;
        }

        private AppWire.AppHello readHello() throws IOException {
            AppWire.AppFrame hello = read();
            if (hello == null || !hello.hasHello() || hello.getHello().getProtocolVersion() != WireVersions.APP_PROTOCOL) {
                throw new IllegalStateException("expected AppHello v1, got " + hello);
            }
            return hello.getHello();
        }

        private void sendWelcome() throws IOException {
            send(AppWire.AppFrame.newBuilder().setWelcome(AppWire.AppWelcome.newBuilder()
                    .setProtocolVersion(WireVersions.APP_PROTOCOL).setUserId(USER).setDeviceId(DEVICE).setNodeConnected(true)).build());
        }

        /** Waits (bounded by the read timeout) until the client closes the connection. */
        void awaitEof() throws IOException {
            for (int i = 0; i < 1_000; i++) {
                if (in.read() < 0) {
                    return;
                }
            }
        }

        @Override
        public void close() {
            socket.close();
        }
    }

    /** Accepts the next connection. */
    @FunctionalInterface
    private interface Acceptor {
        LocalSocket accept() throws IOException;
    }

    private final ServerSocket server;
    private final ServerSocketChannel unixServer;
    private final Script script;
    private final AtomicInteger accepted = new AtomicInteger();
    final List<Throwable> failures = new CopyOnWriteArrayList<>();
    private volatile boolean closed;

    FakeDaemon(Script script) throws IOException {
        this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        this.unixServer = null;
        this.script = script;
        start(() -> new TcpSocket(server.accept()));
    }

    private FakeDaemon(Path socket, Script script) throws IOException {
        this.server = null;
        this.unixServer = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        this.unixServer.bind(UnixDomainSocketAddress.of(socket));
        this.script = script;
        start(() -> {
            SocketChannel ch = unixServer.accept();
            return UnixSocket.wrap(ch, "fake app on " + socket);
        });
    }

    /** A fake daemon listening on the Unix domain socket {@code socket}. */
    static FakeDaemon unix(Path socket, Script script) throws IOException {
        return new FakeDaemon(socket, script);
    }

    private void start(Acceptor acceptor) {
        Thread t = new Thread(() -> acceptLoop(acceptor), "fake-daemon-accept");
        t.setDaemon(true);
        t.start();
    }

    InetSocketAddress address() {
        return new InetSocketAddress(InetAddress.getLoopbackAddress(), server.getLocalPort());
    }

    int port() {
        return server.getLocalPort();
    }

    int connections() {
        return accepted.get();
    }

    private void acceptLoop(Acceptor acceptor) {
        for (int i = 0; i < 1_000 && !closed; i++) {
            LocalSocket s;
            try {
                s = acceptor.accept();
            } catch (IOException e) {
                return;
            }
            int index = accepted.getAndIncrement();
            Thread t = new Thread(() -> {
                try (Conn c = new Conn(s, index)) {
                    script.run(c);
                } catch (Throwable e) {
                    if (!closed) {
                        failures.add(e);
                    }
                }
            }, "fake-daemon-conn-" + index);
            t.setDaemon(true);
            t.start();
        }
    }

    @Override
    public void close() throws IOException {
        closed = true;
        if (server != null) {
            server.close();
        } else {
            unixServer.close();
        }
    }
}
