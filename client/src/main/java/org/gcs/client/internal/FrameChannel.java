package org.gcs.client.internal;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import org.gcs.api.AuthenticationException;
import org.gcs.api.DeviceId;
import org.gcs.api.ProtocolException;
import org.gcs.api.UserId;
import org.gcs.api.wire.AppWire;
import org.gcs.api.wire.Frames;
import org.gcs.api.wire.WireVersions;
import org.gcs.client.ConnectionClosedException;
import org.gcs.client.IncompatibleDaemonException;

/**
 * One connection to the daemon (TCP or Unix socket) speaking {@code AppFrame}s with blocking framing. Sends are thread-safe; one thread
 * at a time receives. {@link #input()} is the buffered stream frames are read from, so a connection that becomes a
 * pipe after its last frame loses no bytes.
 */
public final class FrameChannel implements AutoCloseable {
    /** What the daemon said in AppWelcome. */
    public record Welcome(int protocolVersion, UserId user, DeviceId device, boolean nodeConnected) {
    }

    private final LocalSocket socket;
    private final InputStream in;
    private final OutputStream out;
    private final Object writeLock = new Object();
    private final String peer;
    private volatile Welcome welcome;

    FrameChannel(LocalSocket socket) {
        this.socket = socket;
        this.in = new BufferedInputStream(socket.input(), 8192);
        this.out = socket.output();
        this.peer = socket.peer();
    }

    /**
     * Connects to the daemon and performs the AppHello / AppWelcome exchange, all within {@code timeout}.
     *
     * @throws IncompatibleDaemonException if the daemon does not speak {@link WireVersions#APP_PROTOCOL}
     * @throws AuthenticationException if it refuses the cookie (or its absence) on TCP
     * @throws ProtocolException if it answers anything but AppWelcome
     * @throws IOException if it cannot be reached, is busy or does not answer in time
     */
    public static FrameChannel open(DaemonEndpoint daemon, Duration timeout) throws IOException {
        LocalSocket socket = daemon.connect(timeout);
        try {
            FrameChannel channel = new FrameChannel(socket);
            channel.hello(daemon, timeout);
            return channel;
        } catch (IOException | RuntimeException e) {
            socket.close();
            throw e;
        }
    }

    private void hello(DaemonEndpoint daemon, Duration timeout) throws IOException {
        socket.setReadTimeout(timeout);
        send(AppWire.AppFrame.newBuilder().setHello(AppWire.AppHello.newBuilder()
                .setProtocolVersion(WireVersions.APP_PROTOCOL).setCookie(daemon.cookie())).build());
        AppWire.AppFrame frame;
        try {
            frame = receive();
        } catch (SocketTimeoutException e) {
            throw new SocketTimeoutException("no AppWelcome from the daemon at " + peer + " within " + timeout.toMillis() + " ms");
        }
        if (frame == null) {
            throw new ConnectionClosedException("the daemon at " + peer + " closed the connection before AppWelcome");
        }
        switch (frame.getBodyCase()) {
            case WELCOME -> {
                AppWire.AppWelcome w = frame.getWelcome();
                if (w.getProtocolVersion() != WireVersions.APP_PROTOCOL) {
                    throw new IncompatibleDaemonException(WireVersions.APP_PROTOCOL, w.getProtocolVersion(),
                            "the daemon at " + peer + " speaks app protocol version " + w.getProtocolVersion()
                                    + ", this client speaks version " + WireVersions.APP_PROTOCOL);
                }
                welcome = new Welcome(w.getProtocolVersion(), Wire.user("welcome user_id", w.getUserId()),
                        Wire.device("welcome device_id", w.getDeviceId()), w.getNodeConnected());
            }
            case ERROR -> {
                AppWire.AppError error = frame.getError();
                switch (error.getCode()) {
                    case APP_UNSUPPORTED_VERSION -> throw new IncompatibleDaemonException(WireVersions.APP_PROTOCOL, -1,
                            "the daemon at " + peer + " does not speak app protocol version " + WireVersions.APP_PROTOCOL
                                    + (error.getMessage().isEmpty() ? "" : ": " + error.getMessage()));
                    case APP_UNAUTHORIZED -> throw new AuthenticationException("the daemon at " + peer
                            + " refused this application: " + error.getMessage() + " (cookie " + daemon.cookieOrigin() + ")");
                    case APP_BUSY -> throw new ConnectException("the daemon at " + peer + " is busy: " + error.getMessage());
                    default -> {
                    }
                }
                throw new ProtocolException("the daemon at " + peer + " refused AppHello: " + error.getCode() + " " + error.getMessage());
            }
            default -> throw new ProtocolException("expected AppWelcome from the daemon at " + peer + ", got " + frame.getBodyCase());
        }
        socket.setReadTimeout(null);
    }

    public Welcome welcome() {
        return welcome;
    }

    public void send(AppWire.AppFrame frame) throws IOException {
        byte[] bytes = frame.toByteArray();
        synchronized (writeLock) {
            Frames.write(out, bytes);
        }
    }

    /**
     * Reads the next frame.
     *
     * @return the frame, or {@code null} if the daemon closed the connection between frames
     * @throws ProtocolException for an oversize or malformed frame
     */
    public AppWire.AppFrame receive() throws IOException {
        byte[] bytes = Frames.read(in, WireVersions.MAX_FRAME_BYTES);
        return bytes == null ? null : Wire.parse(bytes);
    }

    public void setReadTimeout(Duration timeout) throws IOException {
        socket.setReadTimeout(timeout);
    }

    public LocalSocket socket() {
        return socket;
    }

    public InputStream input() {
        return in;
    }

    public String peer() {
        return peer;
    }

    public boolean isOpen() {
        return !socket.isClosed();
    }

    @Override
    public void close() {
        socket.close();
    }

    static void closeQuietly(AutoCloseable c) {
        if (c == null) {
            return;
        }
        try {
            c.close();
        } catch (Exception ignored) {
            // closing; nothing useful to do
        }
    }
}
