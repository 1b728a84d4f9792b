package org.gcs.client.internal;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import org.gcs.client.ClientOptions;

/**
 * Where the daemon's application API is and what to present there: its Unix domain socket (no cookie: the socket's
 * private directory admits only the daemon's user), or a TCP address with the cookie from the daemon's state directory
 * (app.proto, "Who may connect"). Resolved once per client; every connection of that client uses it.
 */
public final class DaemonEndpoint {
    /** The file in the daemon's state directory that names its socket. */
    public static final String SOCKET_FILE = "api.socket";
    /** The file in the daemon's state directory that holds the TCP cookie. */
    public static final String COOKIE_FILE = "api.cookie";

    private final SocketAddress address;
    private final String cookie;
    private final String cookieOrigin;

    private DaemonEndpoint(SocketAddress address, String cookie, String cookieOrigin) {
        this.address = address;
        this.cookie = cookie;
        this.cookieOrigin = cookieOrigin;
    }

    /**
     * The Unix socket of the daemon whose state directory is {@code options}' ({@link ClientOptions#resolvedStateDir()}):
     * the path written in its {@code api.socket}, or {@code api/daemon.sock} under it when that file is missing.
     */
    public static DaemonEndpoint unix(ClientOptions options) throws IOException {
        Path stateDir = options.resolvedStateDir();
        Path socket;
        try {
            String named = Files.readString(stateDir.resolve(SOCKET_FILE), StandardCharsets.UTF_8).strip();
            socket = named.isEmpty() ? defaultSocket(stateDir) : Path.of(named);
        } catch (NoSuchFileException e) {
            socket = defaultSocket(stateDir);
        }
        if (!Files.exists(socket)) {
            throw new ConnectException("no GCS daemon socket at " + socket.toAbsolutePath() + " (is the daemon running"
                    + " with state.dir " + stateDir.toAbsolutePath() + "?)");
        }
        return unix(socket);
    }

    /** A given Unix socket. */
    public static DaemonEndpoint unix(Path socket) {
        return new DaemonEndpoint(UnixDomainSocketAddress.of(socket), "", "not needed on the Unix socket");
    }

    /**
     * A TCP address with the cookie given in {@code options}, or else read from {@code api.cookie} in their state
     * directory; if there is none, AppHello goes without one and the daemon will say {@code APP_UNAUTHORIZED}, which
     * the error then explains with where the cookie was looked for.
     */
    public static DaemonEndpoint tcp(InetSocketAddress address, ClientOptions options) {
        if (options.cookie() != null) {
            return new DaemonEndpoint(address, options.cookie(), "given in ClientOptions");
        }
        Path file = options.resolvedStateDir().resolve(COOKIE_FILE).toAbsolutePath();
        try {
            return new DaemonEndpoint(address, Files.readString(file, StandardCharsets.US_ASCII).strip(), "read from " + file);
        } catch (IOException e) {
            return new DaemonEndpoint(address, "", "none sent: cannot read " + file + " (" + e.getClass().getSimpleName()
                    + "); give the daemon's state directory with ClientOptions.withStateDir or the cookie with withCookie");
        }
    }

    private static Path defaultSocket(Path stateDir) {
        return stateDir.resolve("api").resolve("daemon.sock");
    }

    /** Opens a new connection within {@code timeout}. */
    public LocalSocket connect(Duration timeout) throws IOException {
        if (address instanceof UnixDomainSocketAddress unix) {
            return UnixSocket.connect(unix, timeout);
        }
        Socket socket = new Socket();
        try {
            socket.setTcpNoDelay(true);
            try {
                socket.connect(address, LocalSocket.millis(timeout));
            } catch (ConnectException e) {
                throw new ConnectException("cannot reach the GCS daemon at " + address + ": " + e.getMessage());
            }
            return new TcpSocket(socket);
        } catch (IOException | RuntimeException e) {
            FrameChannel.closeQuietly(socket);
            throw e;
        }
    }

    /** {@link InetSocketAddress} or {@link UnixDomainSocketAddress}. */
    public SocketAddress address() {
        return address;
    }

    /** What AppHello carries: the cookie on TCP, empty on the Unix socket or when none was found. */
    public String cookie() {
        return cookie;
    }

    /** Where the cookie came from, or why none was sent: for the error when the daemon refuses it. */
    public String cookieOrigin() {
        return cookieOrigin;
    }

    @Override
    public String toString() {
        return address instanceof UnixDomainSocketAddress unix ? "unix socket " + unix.getPath() : String.valueOf(address);
    }
}
