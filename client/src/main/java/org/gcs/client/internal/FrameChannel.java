package org.gcs.client.internal;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import org.gcs.api.DeviceId;
import org.gcs.api.ProtocolException;
import org.gcs.api.UserId;
import org.gcs.api.wire.AppWire;
import org.gcs.api.wire.Frames;
import org.gcs.api.wire.WireVersions;
import org.gcs.client.ConnectionClosedException;
import org.gcs.client.IncompatibleDaemonException;

/**
 * One TCP connection to the daemon speaking {@code AppFrame}s with blocking framing. Sends are thread-safe; one thread
 * at a time receives. {@link #input()} is the buffered stream frames are read from, so a connection that becomes a
 * pipe after its last frame loses no bytes.
 */
public final class FrameChannel implements AutoCloseable {
    /** What the daemon said in AppWelcome. */
    public record Welcome(int protocolVersion, UserId user, DeviceId device, boolean nodeConnected) {
    }

    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;
    private final Object writeLock = new Object();
    private final String peer;
    private volatile Welcome welcome;

    FrameChannel(Socket socket) throws IOException {
        this.socket = socket;
        this.in = new BufferedInputStream(socket.getInputStream(), 8192);
        this.out = socket.getOutputStream();
        this.peer = String.valueOf(socket.getRemoteSocketAddress());
    }

    /**
     * Connects to the daemon and performs the AppHello / AppWelcome exchange, all within {@code timeout}.
     *
     * @throws IncompatibleDaemonException if the daemon does not speak {@link WireVersions#APP_PROTOCOL}
     * @throws ProtocolException if it answers anything but AppWelcome
     * @throws IOException if it cannot be reached or does not answer in time
     */
    public static FrameChannel open(InetSocketAddress daemon, Duration timeout) throws IOException {
        Socket socket = new Socket();
        try {
            socket.setTcpNoDelay(true);
            try {
                socket.connect(daemon, (int) timeout.toMillis());
            } catch (java.net.ConnectException e) {
                throw new java.net.ConnectException("cannot reach the GCS daemon at " + daemon + ": " + e.getMessage());
            }
            FrameChannel channel = new FrameChannel(socket);
            channel.hello(timeout);
            return channel;
        } catch (IOException | RuntimeException e) {
            closeQuietly(socket);
            throw e;
        }
    }

    private void hello(Duration timeout) throws IOException {
        socket.setSoTimeout((int) timeout.toMillis());
        send(AppWire.AppFrame.newBuilder()
                .setHello(AppWire.AppHello.newBuilder().setProtocolVersion(WireVersions.APP_PROTOCOL)).build());
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
                if (error.getCode() == AppWire.AppErrorCode.APP_UNSUPPORTED_VERSION) {
                    throw new IncompatibleDaemonException(WireVersions.APP_PROTOCOL, -1,
                            "the daemon at " + peer + " does not speak app protocol version " + WireVersions.APP_PROTOCOL
                                    + (error.getMessage().isEmpty() ? "" : ": " + error.getMessage()));
                }
                throw new ProtocolException("the daemon at " + peer + " refused AppHello: " + error.getCode() + " " + error.getMessage());
            }
            default -> throw new ProtocolException("expected AppWelcome from the daemon at " + peer + ", got " + frame.getBodyCase());
        }
        socket.setSoTimeout(0);
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
        socket.setSoTimeout(timeout == null ? 0 : (int) Math.min(Integer.MAX_VALUE, timeout.toMillis()));
    }

    public Socket socket() {
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
        closeQuietly(socket);
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
