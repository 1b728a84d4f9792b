package org.gcs.daemon.app;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * Where and for whom the application API listens, validated. Every limit and default is listed here.
 *
 * <table>
 * <caption>Keys, defaults and bounds</caption>
 * <tr><th>Key</th><th>Default</th><th>Meaning</th></tr>
 * <tr><td>{@code api.socket}</td><td>{@code <state_dir>/api/daemon.sock}</td><td>the Unix domain socket, always on;
 * its directory must be the daemon user's alone (0700), the socket is made 0600</td></tr>
 * <tr><td>{@code api.host}</td><td>127.0.0.1</td><td>address of the TCP endpoint; a non-loopback one only with
 * {@code api.allow.remote}</td></tr>
 * <tr><td>{@code api.port}</td><td>7010</td><td>its port; 0 = any free port, {@value #TCP_OFF} = no TCP endpoint</td></tr>
 * <tr><td>{@code api.allow.remote}</td><td>false</td><td>accept a non-loopback {@code api.host} (logged as a warning at
 * every start); the cookie is still required</td></tr>
 * <tr><td>{@code api.hello.timeout.seconds}</td><td>10</td><td>a connection must complete AppHello within this</td></tr>
 * <tr><td>{@code api.hello.pending.max}</td><td>{@value #DEFAULT_MAX_PENDING_HELLOS}</td><td>connections per endpoint
 * still waiting for their AppHello; more are refused at once</td></tr>
 * </table>
 *
 * @param socket the Unix domain socket applications of this OS user connect to
 * @param host the address of the TCP endpoint
 * @param port its port, 0 for any free one, {@link #TCP_OFF} for none
 * @param allowRemote whether {@code host} may be other than a loopback address
 * @param helloTimeout how long a connection may take to complete AppHello
 * @param maxPendingHellos how many connections per endpoint may wait for their AppHello at once
 */
public record ApiSettings(Path socket, String host, int port, boolean allowRemote, Duration helloTimeout,
        int maxPendingHellos) {
    /** {@code api.port} value that turns the TCP endpoint off. */
    public static final int TCP_OFF = -1;
    public static final int DEFAULT_PORT = 7010;
    public static final Duration DEFAULT_HELLO_TIMEOUT = Duration.ofSeconds(10);
    public static final int DEFAULT_MAX_PENDING_HELLOS = 64;

    public ApiSettings {
        Objects.requireNonNull(socket, "api.socket");
        host = host == null || host.isBlank() ? "127.0.0.1" : host.trim();
        if (port < TCP_OFF || port > 65535) {
            throw new IllegalArgumentException("api.port out of range (-1 = no TCP, 0 = any free port): " + port);
        }
        if (helloTimeout == null || helloTimeout.isNegative() || helloTimeout.isZero()) {
            throw new IllegalArgumentException("api.hello.timeout.seconds must be positive: " + helloTimeout);
        }
        if (maxPendingHellos < 1) {
            throw new IllegalArgumentException("api.hello.pending.max must be at least 1: " + maxPendingHellos);
        }
        if (port != TCP_OFF && !allowRemote && !isLoopback(host)) {
            throw new IllegalArgumentException("api.host=" + host + " is not a loopback address: every machine that can"
                    + " reach it could try to use this daemon as its user. Use 127.0.0.1 or ::1, or set"
                    + " api.allow.remote=true to accept that risk (applications must still present the cookie)");
        }
    }

    /** The Unix socket {@code <stateDir>/api/daemon.sock} and TCP on 127.0.0.1:{@code port}, default limits. */
    public static ApiSettings loopback(Path stateDir, int port) {
        return new ApiSettings(defaultSocket(stateDir), "127.0.0.1", port, false, DEFAULT_HELLO_TIMEOUT,
                DEFAULT_MAX_PENDING_HELLOS);
    }

    /** Where the socket lives when {@code api.socket} is not set. */
    public static Path defaultSocket(Path stateDir) {
        return stateDir.resolve("api").resolve("daemon.sock");
    }

    public boolean tcp() {
        return port != TCP_OFF;
    }

    public ApiSettings withHelloLimits(Duration timeout, int maxPending) {
        return new ApiSettings(socket, host, port, allowRemote, timeout, maxPending);
    }

    /** Whether every address {@code host} names is a loopback address (a name that does not resolve is not). */
    static boolean isLoopback(String host) {
        try {
            for (InetAddress a : InetAddress.getAllByName(host)) {
                if (!a.isLoopbackAddress()) {
                    return false;
                }
            }
            return true;
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("api.host=" + host + " does not resolve: " + e.getMessage());
        }
    }
}
