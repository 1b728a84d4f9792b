package org.gcs.client;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.gcs.api.wire.AppWire;
import org.gcs.api.wire.Frames;
import org.gcs.api.wire.WireVersions;

/**
 * Test double of the daemon's application port for client unit tests: a loopback server socket whose connections are
 * each served by a {@link Script} on a thread of their own. Every read is bounded by a socket timeout.
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
        final Socket socket;
        final int index;
        final InputStream in;
        final OutputStream out;

        Conn(Socket socket, int index) throws IOException {
            this.socket = socket;
            this.index = index;
            socket.setSoTimeout(READ_TIMEOUT_MS);
            this.in = new BufferedInputStream(socket.getInputStream());
            this.out = socket.getOutputStream();
        }

        /** The next frame, or null at end of stream. */
        AppWire.AppFrame read() throws IOException {
            byte[] bytes = Frames.read(in, WireVersions.MAX_FRAME_BYTES);
            return bytes == null ? null : AppWire.AppFrame.parseFrom(bytes);
        }

        void send(AppWire.AppFrame frame) throws IOException {
            Frames.write(out, frame.toByteArray());
        }

        /** Reads AppHello and answers the standard AppWelcome. */
        void welcome() throws IOException {
            AppWire.AppFrame hello = read();
            if (hello == null || !hello.hasHello() || hello.getHello().getProtocolVersion() != WireVersions.APP_PROTOCOL) {
                throw new IllegalStateException("expected AppHello v1, got " + hello);
            }
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
        public void close() throws IOException {
            socket.close();
        }
    }

    private final ServerSocket server;
    private final Script script;
    private final AtomicInteger accepted = new AtomicInteger();
    final List<Throwable> failures = new CopyOnWriteArrayList<>();
    private volatile boolean closed;

    FakeDaemon(Script script) throws IOException {
        this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        this.script = script;
        Thread t = new Thread(this::acceptLoop, "fake-daemon-accept");
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

    private void acceptLoop() {
        for (int i = 0; i < 1_000 && !closed; i++) {
            Socket s;
            try {
                s = server.accept();
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
        server.close();
    }
}
