package org.gcs.daemon.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import org.gcs.daemon.core.Daemon;
import org.gcs.api.wire.AppWire;
import org.gcs.api.wire.AppWire.AppFrame;
import org.gcs.api.wire.Frames;
import org.gcs.api.wire.WireVersions;

/** A blocking application for tests: speaks AppFrame over a loopback socket, then raw bytes once piped. */
public final class TestApp implements AutoCloseable {
    public final Socket socket;
    private final String cookie;

    /** An application that knows no cookie (its AppHello is refused on TCP). */
    public TestApp(int port) throws IOException {
        this(port, "");
    }

    /** An application that presents {@code cookie} in its AppHello. */
    public TestApp(int port, String cookie) throws IOException {
        this.cookie = cookie;
        socket = new Socket("127.0.0.1", port);
        socket.setSoTimeout(10_000);
    }

    /** An application of {@code d}'s user on its TCP endpoint, with the cookie from its state dir. */
    public static TestApp of(Daemon d) throws IOException {
        return new TestApp(d.apiPort(), cookie(d));
    }

    /** The cookie {@code d} wrote at its start. */
    public static String cookie(Daemon d) throws IOException {
        return Files.readString(d.settings().stateDir().resolve("api.cookie"), StandardCharsets.US_ASCII).strip();
    }

    public void send(AppFrame frame) throws IOException {
        Frames.write(socket.getOutputStream(), frame.toByteArray());
    }

    public AppFrame read() throws IOException {
        byte[] b = Frames.read(socket.getInputStream(), WireVersions.MAX_FRAME_BYTES);
        if (b == null) {
            throw new IOException("daemon closed the connection");
        }
        return AppFrame.parseFrom(b);
    }

    /** The next frame within {@code millis}, or null. */
    public AppFrame poll(int millis) throws IOException {
        int before = socket.getSoTimeout();
        socket.setSoTimeout(millis);
        try {
            return read();
        } catch (SocketTimeoutException e) {
            return null;
        } finally {
            socket.setSoTimeout(before);
        }
    }

    public AppWire.AppWelcome hello() throws IOException {
        send(AppFrame.newBuilder().setHello(AppWire.AppHello.newBuilder().setProtocolVersion(WireVersions.APP_PROTOCOL)
                .setCookie(cookie)).build());
        return read().getWelcome();
    }

    public static byte[] readAll(InputStream in) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        in.transferTo(out);
        return out.toByteArray();
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
