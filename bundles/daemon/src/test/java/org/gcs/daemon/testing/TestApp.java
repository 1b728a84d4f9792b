package org.gcs.daemon.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import org.gcs.api.wire.AppWire;
import org.gcs.api.wire.AppWire.AppFrame;
import org.gcs.api.wire.Frames;
import org.gcs.api.wire.WireVersions;

/** A blocking application for tests: speaks AppFrame over a loopback socket, then raw bytes once piped. */
public final class TestApp implements AutoCloseable {
    public final Socket socket;

    public TestApp(int port) throws IOException {
        socket = new Socket("127.0.0.1", port);
        socket.setSoTimeout(10_000);
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
        send(AppFrame.newBuilder().setHello(AppWire.AppHello.newBuilder().setProtocolVersion(WireVersions.APP_PROTOCOL)).build());
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
