package org.gcs.node.session;

import java.time.Duration;

/**
 * What one daemon, user or address may cost a node. A peer over a limit gets an error naming the limit
 * ({@code Error{LIMIT_EXCEEDED}}, or a {@code ConnectResult} with status {@code LIMITED}); everyone else is unaffected.
 *
 * <table>
 * <caption>Limits and their defaults (node configuration, {@code limit.*})</caption>
 * <tr><th>limit</th><th>default</th><th>over it</th></tr>
 * <tr><td>connects per user: burst / per second</td><td>100 / 50</td><td>the connect ends {@code LIMITED}</td></tr>
 * <tr><td>connects in flight per user / per device</td><td>256 / 128</td><td>the connect ends {@code LIMITED}</td></tr>
 * <tr><td>devices per user logged in at this node</td><td>32</td><td>the login is refused ({@code LIMIT_EXCEEDED})</td></tr>
 * <tr><td>connections per source address</td><td>256</td><td>the connection gets {@code LIMIT_EXCEEDED} and is closed</td></tr>
 * <tr><td>frames per session: burst / per second</td><td>1000 / 500</td><td>the frame is dropped and answered
 *     {@code LIMIT_EXCEEDED}</td></tr>
 * <tr><td>write buffer per connection</td><td>1 MiB</td><td>the node stops reading the peer until it reads; a peer that
 *     has not read for {@code slowReader} (default 15 s), or lets 8 MiB pile up, is closed</td></tr>
 * </table>
 * A connect is in flight from its {@code Connect} until its result reached the caller (or its entry in the connection
 * table expired, 2 min after its last message).
 */
public record NodeLimits(int connectsBurst, double connectsPerSecond, int connectsInFlightPerUser,
        int connectsInFlightPerDevice, int devicesPerUser, int connectionsPerAddress, int framesBurst,
        double framesPerSecond, int writeBufferBytes, Duration slowReader) {
    /** The most a connection may let pile up, as a multiple of {@link #writeBufferBytes()}, before it is closed. */
    public static final int HARD_WRITE_BUFFER_FACTOR = 8;

    public NodeLimits {
        require(connectsBurst >= 1 && connectsPerSecond > 0, "connect rate limits must be positive");
        require(connectsInFlightPerUser >= 1 && connectsInFlightPerDevice >= 1, "connects in flight must be at least 1");
        require(devicesPerUser >= 1, "devices per user must be at least 1");
        require(connectionsPerAddress >= 1, "connections per address must be at least 1");
        require(framesBurst >= 1 && framesPerSecond > 0, "frame rate limits must be positive");
        require(writeBufferBytes >= 64 * 1024, "the write buffer must be at least 64 KiB");
        require(slowReader != null && !slowReader.isNegative() && !slowReader.isZero(), "slow reader time must be positive");
    }

    public static NodeLimits defaults() {
        return new NodeLimits(100, 50, 256, 128, 32, 256, 1000, 500, 1024 * 1024, Duration.ofSeconds(15));
    }

    private static void require(boolean condition, String message) {
        if (!condition) {
            throw new IllegalArgumentException(message);
        }
    }
}
