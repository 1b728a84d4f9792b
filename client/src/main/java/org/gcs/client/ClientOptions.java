package org.gcs.client;

import java.nio.file.Path;
import java.time.Duration;
import java.util.regex.Pattern;

/**
 * Timeouts of a {@link GcsClient} and where it finds its daemon; every limit the library applies is listed here.
 * Immutable; change values with the {@code with*} methods, each of which rejects a zero or negative duration.
 *
 * <table>
 * <caption>Limits and defaults</caption>
 * <tr><th>Option</th><th>Default</th><th>Bounds</th></tr>
 * <tr><td>{@link #connectTimeout()}</td><td>5 s</td><td>TCP connect to the daemon plus the AppHello/AppWelcome
 * exchange, for every connection the client opens</td></tr>
 * <tr><td>{@link #requestTimeout()}</td><td>30 s</td><td>an answer to GetAvailableDevices, GetFriends and
 * ListenIntent</td></tr>
 * <tr><td>{@link #openTimeout()}</td><td>120 s</td><td>the answer to ConnectApp; should exceed the daemon's own
 * connect timeout, which answers {@link Status#TIMEOUT} itself</td></tr>
 * <tr><td>{@link #pairingTimeout()}</td><td>10 s</td><td>on a listener, how long the daemon's TCP connection and its
 * ConnectionOpened report wait for each other before the one that came is dropped</td></tr>
 * <tr><td>{@link #acceptedTimeout()}</td><td>180 s</td><td>on a listener, how long an accepted request waits for its
 * ConnectionOpened (the P2P path may take time or fail silently)</td></tr>
 * <tr><td>{@link #maxPending()}</td><td>{@value #DEFAULT_MAX_PENDING}</td><td>on a listener, the bound on each of
 * its waiting sets: unpaired sockets, unclaimed pipes, accepted requests (more are rejected or closed)</td></tr>
 * <tr><td>{@link #stateDir()}</td><td>{@code null}: the environment variable {@value #STATE_DIR_ENV}, else
 * {@code ./state}</td><td>the daemon's {@code state.dir}: where {@link GcsClient#local()} finds {@code api.socket}
 * and TCP connections find {@code api.cookie}</td></tr>
 * <tr><td>{@link #cookie()}</td><td>{@code null}: read from {@code api.cookie} in the state directory</td><td>the 64
 * hex digits a TCP connection presents in AppHello; not used on the Unix socket</td></tr>
 * </table>
 */
public record ClientOptions(Duration connectTimeout, Duration requestTimeout, Duration openTimeout,
        Duration pairingTimeout, Duration acceptedTimeout, int maxPending, Path stateDir, String cookie) {
    /** Default bound on each of a listener's waiting sets. */
    public static final int DEFAULT_MAX_PENDING = 64;
    /** Environment variable naming the daemon's state directory when {@link #stateDir()} is not set. */
    public static final String STATE_DIR_ENV = "GCS_STATE_DIR";
    private static final Pattern COOKIE = Pattern.compile("[0-9a-fA-F]{64}");

    /** Options without a state directory or cookie: the defaults for those apply (the form before they existed). */
    public ClientOptions(Duration connectTimeout, Duration requestTimeout, Duration openTimeout, Duration pairingTimeout,
            Duration acceptedTimeout, int maxPending) {
        this(connectTimeout, requestTimeout, openTimeout, pairingTimeout, acceptedTimeout, maxPending, null, null);
    }

    public ClientOptions {
        if (cookie != null) {
            cookie = cookie.strip();
            if (!COOKIE.matcher(cookie).matches()) {
                throw new IllegalArgumentException("cookie must be the 64 hex digits of the daemon's state_dir/api.cookie");
            }
        }
        if (maxPending < 1 || maxPending > 65_535) {
            throw new IllegalArgumentException("maxPending must be 1..65535: " + maxPending);
        }
        positive("connectTimeout", connectTimeout);
        positive("requestTimeout", requestTimeout);
        positive("openTimeout", openTimeout);
        positive("pairingTimeout", pairingTimeout);
        positive("acceptedTimeout", acceptedTimeout);
    }

    /** The defaults from the table above. */
    public static ClientOptions defaults() {
        return new ClientOptions(Duration.ofSeconds(5), Duration.ofSeconds(30), Duration.ofSeconds(120),
                Duration.ofSeconds(10), Duration.ofSeconds(180), DEFAULT_MAX_PENDING);
    }

    public ClientOptions withConnectTimeout(Duration d) {
        return new ClientOptions(d, requestTimeout, openTimeout, pairingTimeout, acceptedTimeout, maxPending, stateDir, cookie);
    }

    public ClientOptions withRequestTimeout(Duration d) {
        return new ClientOptions(connectTimeout, d, openTimeout, pairingTimeout, acceptedTimeout, maxPending, stateDir, cookie);
    }

    public ClientOptions withOpenTimeout(Duration d) {
        return new ClientOptions(connectTimeout, requestTimeout, d, pairingTimeout, acceptedTimeout, maxPending, stateDir, cookie);
    }

    public ClientOptions withPairingTimeout(Duration d) {
        return new ClientOptions(connectTimeout, requestTimeout, openTimeout, d, acceptedTimeout, maxPending, stateDir, cookie);
    }

    public ClientOptions withAcceptedTimeout(Duration d) {
        return new ClientOptions(connectTimeout, requestTimeout, openTimeout, pairingTimeout, d, maxPending, stateDir, cookie);
    }

    /** A copy whose listeners keep at most {@code n} unpaired sockets, unclaimed pipes and accepted requests each. */
    public ClientOptions withMaxPending(int n) {
        return new ClientOptions(connectTimeout, requestTimeout, openTimeout, pairingTimeout, acceptedTimeout, n, stateDir, cookie);
    }

    /** A copy that finds the daemon's {@code api.socket} and {@code api.cookie} in {@code dir} (its {@code state.dir}). */
    public ClientOptions withStateDir(Path dir) {
        return new ClientOptions(connectTimeout, requestTimeout, openTimeout, pairingTimeout, acceptedTimeout, maxPending,
                java.util.Objects.requireNonNull(dir, "dir"), cookie);
    }

    /** A copy that presents {@code hex} (the contents of the daemon's {@code api.cookie}) on TCP connections. */
    public ClientOptions withCookie(String hex) {
        return new ClientOptions(connectTimeout, requestTimeout, openTimeout, pairingTimeout, acceptedTimeout, maxPending,
                stateDir, java.util.Objects.requireNonNull(hex, "hex"));
    }

    /** {@link #stateDir()} if set, else the directory in {@value #STATE_DIR_ENV}, else {@code state} in the working directory. */
    public Path resolvedStateDir() {
        if (stateDir != null) {
            return stateDir;
        }
        String env = System.getenv(STATE_DIR_ENV);
        return env != null && !env.isBlank() ? Path.of(env.strip()) : Path.of("state");
    }

    /** Like the record's, but never shows the cookie. */
    @Override
    public String toString() {
        return "ClientOptions[connectTimeout=" + connectTimeout + ", requestTimeout=" + requestTimeout + ", openTimeout="
                + openTimeout + ", pairingTimeout=" + pairingTimeout + ", acceptedTimeout=" + acceptedTimeout
                + ", maxPending=" + maxPending + ", stateDir=" + stateDir + ", cookie=" + (cookie == null ? "null" : "(set)") + "]";
    }

    private static void positive(String name, Duration d) {
        if (d == null || d.isZero() || d.isNegative()) {
            throw new IllegalArgumentException(name + " must be a positive duration: " + d);
        }
        if (d.toMillis() > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(name + " must be at most " + Integer.MAX_VALUE + " ms: " + d);
        }
    }
}
