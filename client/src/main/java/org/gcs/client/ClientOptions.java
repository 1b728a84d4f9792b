package org.gcs.client;

import java.time.Duration;

/**
 * Timeouts of a {@link GcsClient}; every limit the library applies is listed here. Immutable; change values with the
 * {@code with*} methods, each of which rejects a zero or negative duration.
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
 * </table>
 */
public record ClientOptions(Duration connectTimeout, Duration requestTimeout, Duration openTimeout,
        Duration pairingTimeout, Duration acceptedTimeout, int maxPending) {
    /** Default bound on each of a listener's waiting sets. */
    public static final int DEFAULT_MAX_PENDING = 64;

    public ClientOptions {
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
        return new ClientOptions(d, requestTimeout, openTimeout, pairingTimeout, acceptedTimeout, maxPending);
    }

    public ClientOptions withRequestTimeout(Duration d) {
        return new ClientOptions(connectTimeout, d, openTimeout, pairingTimeout, acceptedTimeout, maxPending);
    }

    public ClientOptions withOpenTimeout(Duration d) {
        return new ClientOptions(connectTimeout, requestTimeout, d, pairingTimeout, acceptedTimeout, maxPending);
    }

    public ClientOptions withPairingTimeout(Duration d) {
        return new ClientOptions(connectTimeout, requestTimeout, openTimeout, d, acceptedTimeout, maxPending);
    }

    public ClientOptions withAcceptedTimeout(Duration d) {
        return new ClientOptions(connectTimeout, requestTimeout, openTimeout, pairingTimeout, d, maxPending);
    }

    /** A copy whose listeners keep at most {@code n} unpaired sockets, unclaimed pipes and accepted requests each. */
    public ClientOptions withMaxPending(int n) {
        return new ClientOptions(connectTimeout, requestTimeout, openTimeout, pairingTimeout, acceptedTimeout, n);
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
