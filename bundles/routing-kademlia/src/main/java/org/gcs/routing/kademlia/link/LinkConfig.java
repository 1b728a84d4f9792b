package org.gcs.routing.kademlia.link;

import java.time.Duration;
import java.util.Objects;

/**
 * Every limit of a {@link LinkEndpoint} and its links, in one immutable (thread-safe), validated value. Start from
 * {@link #defaults()} and change what you need; each {@code with...} method checks its argument and returns a copy:
 * <pre>{@code
 * LinkConfig config = LinkConfig.defaults().withMaxFrameBytes(256 * 1024).withCallTimeout(Duration.ofSeconds(5));
 * }</pre>
 *
 * <table>
 *   <caption>Limits and defaults</caption>
 *   <tr><th>limit</th><th>default</th><th>what happens at the limit</th></tr>
 *   <tr><td>{@link #maxFrameBytes()}</td><td>1 MiB</td><td>a longer inbound frame closes that link (the peer is
 *       told why); a call, answer or message that would not fit fails locally</td></tr>
 *   <tr><td>{@link #connectTimeout()}</td><td>10 s</td><td>the TCP connect of a dial fails</td></tr>
 *   <tr><td>{@link #handshakeTimeout()}</td><td>10 s</td><td>TLS plus both {@code LinkHello}s not done in this time
 *       after the TCP connection is up: the connection closes</td></tr>
 *   <tr><td>{@link #callTimeout()}</td><td>30 s</td><td>a {@link Link#call(int, byte[])} without an answer fails
 *       with {@link CallTimeoutException}; the link stays open</td></tr>
 *   <tr><td>{@link #handlerTimeout()}</td><td>30 s</td><td>a request handler that has not answered by then: the
 *       caller gets {@code FAILED} and the request's slot is freed</td></tr>
 *   <tr><td>{@link #maxCallsInFlight()}</td><td>1024 per link</td><td>one more call fails at once with
 *       {@link TooManyInFlightException}</td></tr>
 *   <tr><td>{@link #maxRequestsInService()}</td><td>256 per link</td><td>one more inbound request is answered
 *       {@code BUSY} at once ({@link PeerBusyException} at the caller)</td></tr>
 *   <tr><td>{@link #maxInboundLinks()}</td><td>1024 per endpoint</td><td>one more accepted TCP connection is closed
 *       before TLS starts</td></tr>
 *   <tr><td>{@link #keepaliveInterval()}</td><td>15 s</td><td>a link that wrote nothing for this long sends a
 *       {@code Ping} (answered by {@code Pong})</td></tr>
 *   <tr><td>{@link #idleTimeout()}</td><td>60 s</td><td>a link that read nothing for this long (not even a ping or
 *       pong: the peer is dead, or does not read so we stopped reading) is closed</td></tr>
 *   <tr><td>{@link #maxWriteBufferBytes()}</td><td>4 MiB per link</td><td>above it the link is unwritable: calls and
 *       messages fail at once with {@link TooManyInFlightException} and the link stops reading from the peer until
 *       the backlog is down to half</td></tr>
 *   <tr><td>{@link #ioThreads()}</td><td>max(2, cores)</td><td>the event loop threads serving all links of the
 *       endpoint</td></tr>
 * </table>
 */
public final class LinkConfig {
    private static final Duration MAX_DURATION = Duration.ofDays(1);
    private static final LinkConfig DEFAULTS = new LinkConfig(1024 * 1024, Duration.ofSeconds(10), Duration.ofSeconds(10),
            Duration.ofSeconds(30), Duration.ofSeconds(30), 1024, 256, 1024, Duration.ofSeconds(15), Duration.ofSeconds(60),
            4 * 1024 * 1024, Math.max(2, Runtime.getRuntime().availableProcessors()));

    private final int maxFrameBytes;
    private final Duration connectTimeout;
    private final Duration handshakeTimeout;
    private final Duration callTimeout;
    private final Duration handlerTimeout;
    private final int maxCallsInFlight;
    private final int maxRequestsInService;
    private final int maxInboundLinks;
    private final Duration keepaliveInterval;
    private final Duration idleTimeout;
    private final int maxWriteBufferBytes;
    private final int ioThreads;

    private LinkConfig(int maxFrameBytes, Duration connectTimeout, Duration handshakeTimeout, Duration callTimeout,
            Duration handlerTimeout, int maxCallsInFlight, int maxRequestsInService, int maxInboundLinks,
            Duration keepaliveInterval, Duration idleTimeout, int maxWriteBufferBytes, int ioThreads) {
        this.maxFrameBytes = maxFrameBytes;
        this.connectTimeout = connectTimeout;
        this.handshakeTimeout = handshakeTimeout;
        this.callTimeout = callTimeout;
        this.handlerTimeout = handlerTimeout;
        this.maxCallsInFlight = maxCallsInFlight;
        this.maxRequestsInService = maxRequestsInService;
        this.maxInboundLinks = maxInboundLinks;
        this.keepaliveInterval = keepaliveInterval;
        this.idleTimeout = idleTimeout;
        this.maxWriteBufferBytes = maxWriteBufferBytes;
        this.ioThreads = ioThreads;
    }

    /** The defaults of the table above. */
    public static LinkConfig defaults() {
        return DEFAULTS;
    }

    /** Largest frame (the protobuf {@code LinkFrame}, without its 4-byte length) read or written: 1 KiB to 64 MiB. */
    public int maxFrameBytes() {
        return maxFrameBytes;
    }

    public LinkConfig withMaxFrameBytes(int bytes) {
        return new LinkConfig(range("maxFrameBytes", bytes, 1024, 64 * 1024 * 1024), connectTimeout, handshakeTimeout,
                callTimeout, handlerTimeout, maxCallsInFlight, maxRequestsInService, maxInboundLinks, keepaliveInterval,
                idleTimeout, maxWriteBufferBytes, ioThreads);
    }

    /** How long the TCP connect of a dial may take. */
    public Duration connectTimeout() {
        return connectTimeout;
    }

    public LinkConfig withConnectTimeout(Duration timeout) {
        return new LinkConfig(maxFrameBytes, positive("connectTimeout", timeout), handshakeTimeout, callTimeout,
                handlerTimeout, maxCallsInFlight, maxRequestsInService, maxInboundLinks, keepaliveInterval, idleTimeout,
                maxWriteBufferBytes, ioThreads);
    }

    /** How long TLS and the exchange of {@code LinkHello}s may take, counted from the TCP connection. */
    public Duration handshakeTimeout() {
        return handshakeTimeout;
    }

    public LinkConfig withHandshakeTimeout(Duration timeout) {
        return new LinkConfig(maxFrameBytes, connectTimeout, positive("handshakeTimeout", timeout), callTimeout,
                handlerTimeout, maxCallsInFlight, maxRequestsInService, maxInboundLinks, keepaliveInterval, idleTimeout,
                maxWriteBufferBytes, ioThreads);
    }

    /** The timeout of {@link Link#call(int, byte[])}; {@link Link#call(int, byte[], Duration)} sets its own. */
    public Duration callTimeout() {
        return callTimeout;
    }

    public LinkConfig withCallTimeout(Duration timeout) {
        return new LinkConfig(maxFrameBytes, connectTimeout, handshakeTimeout, positive("callTimeout", timeout),
                handlerTimeout, maxCallsInFlight, maxRequestsInService, maxInboundLinks, keepaliveInterval, idleTimeout,
                maxWriteBufferBytes, ioThreads);
    }

    /** How long a request handler may take before the link answers {@code FAILED} for it. */
    public Duration handlerTimeout() {
        return handlerTimeout;
    }

    public LinkConfig withHandlerTimeout(Duration timeout) {
        return new LinkConfig(maxFrameBytes, connectTimeout, handshakeTimeout, callTimeout,
                positive("handlerTimeout", timeout), maxCallsInFlight, maxRequestsInService, maxInboundLinks,
                keepaliveInterval, idleTimeout, maxWriteBufferBytes, ioThreads);
    }

    /** Calls of one link waiting for their answer, 1 to 1,000,000. */
    public int maxCallsInFlight() {
        return maxCallsInFlight;
    }

    public LinkConfig withMaxCallsInFlight(int calls) {
        return new LinkConfig(maxFrameBytes, connectTimeout, handshakeTimeout, callTimeout, handlerTimeout,
                range("maxCallsInFlight", calls, 1, 1_000_000), maxRequestsInService, maxInboundLinks, keepaliveInterval,
                idleTimeout, maxWriteBufferBytes, ioThreads);
    }

    /** Inbound requests of one link handed to the handler and not answered yet, 1 to 1,000,000. */
    public int maxRequestsInService() {
        return maxRequestsInService;
    }

    public LinkConfig withMaxRequestsInService(int requests) {
        return new LinkConfig(maxFrameBytes, connectTimeout, handshakeTimeout, callTimeout, handlerTimeout,
                maxCallsInFlight, range("maxRequestsInService", requests, 1, 1_000_000), maxInboundLinks,
                keepaliveInterval, idleTimeout, maxWriteBufferBytes, ioThreads);
    }

    /** Connections accepted by the endpoint's listener and open at the same time, 1 to 1,000,000. */
    public int maxInboundLinks() {
        return maxInboundLinks;
    }

    public LinkConfig withMaxInboundLinks(int links) {
        return new LinkConfig(maxFrameBytes, connectTimeout, handshakeTimeout, callTimeout, handlerTimeout,
                maxCallsInFlight, maxRequestsInService, range("maxInboundLinks", links, 1, 1_000_000), keepaliveInterval,
                idleTimeout, maxWriteBufferBytes, ioThreads);
    }

    /** After this long without writing, a link sends a {@code Ping}. Less than {@link #idleTimeout()}. */
    public Duration keepaliveInterval() {
        return keepaliveInterval;
    }

    /** After this long without reading anything, a link closes. */
    public Duration idleTimeout() {
        return idleTimeout;
    }

    /** Sets both keepalive timers; the interval must be shorter than the idle timeout, so that live peers stay. */
    public LinkConfig withKeepalive(Duration interval, Duration idleTimeout) {
        positive("keepaliveInterval", interval);
        positive("idleTimeout", idleTimeout);
        if (interval.compareTo(idleTimeout) >= 0) {
            throw new IllegalArgumentException("keepaliveInterval " + interval + " must be shorter than idleTimeout "
                    + idleTimeout);
        }
        return new LinkConfig(maxFrameBytes, connectTimeout, handshakeTimeout, callTimeout, handlerTimeout,
                maxCallsInFlight, maxRequestsInService, maxInboundLinks, interval, idleTimeout, maxWriteBufferBytes,
                ioThreads);
    }

    /** Bytes waiting to be written on one link above which it is unwritable (Netty's high water mark): 64 KiB to 1 GiB. */
    public int maxWriteBufferBytes() {
        return maxWriteBufferBytes;
    }

    public LinkConfig withMaxWriteBufferBytes(int bytes) {
        return new LinkConfig(maxFrameBytes, connectTimeout, handshakeTimeout, callTimeout, handlerTimeout,
                maxCallsInFlight, maxRequestsInService, maxInboundLinks, keepaliveInterval, idleTimeout,
                range("maxWriteBufferBytes", bytes, 64 * 1024, 1024 * 1024 * 1024), ioThreads);
    }

    /** Event loop threads of the endpoint, 1 to 64. */
    public int ioThreads() {
        return ioThreads;
    }

    public LinkConfig withIoThreads(int threads) {
        return new LinkConfig(maxFrameBytes, connectTimeout, handshakeTimeout, callTimeout, handlerTimeout,
                maxCallsInFlight, maxRequestsInService, maxInboundLinks, keepaliveInterval, idleTimeout,
                maxWriteBufferBytes, range("ioThreads", threads, 1, 64));
    }

    @Override
    public String toString() {
        return "LinkConfig[maxFrameBytes=" + maxFrameBytes + ", connectTimeout=" + connectTimeout + ", handshakeTimeout="
                + handshakeTimeout + ", callTimeout=" + callTimeout + ", handlerTimeout=" + handlerTimeout
                + ", maxCallsInFlight=" + maxCallsInFlight + ", maxRequestsInService=" + maxRequestsInService
                + ", maxInboundLinks=" + maxInboundLinks + ", keepaliveInterval=" + keepaliveInterval + ", idleTimeout="
                + idleTimeout + ", maxWriteBufferBytes=" + maxWriteBufferBytes + ", ioThreads=" + ioThreads + "]";
    }

    private static int range(String name, int value, int min, int max) {
        if (value < min || value > max) {
            throw new IllegalArgumentException(name + " must be between " + min + " and " + max + ": " + value);
        }
        return value;
    }

    private static Duration positive(String name, Duration value) {
        Objects.requireNonNull(value, name);
        if (value.toMillis() < 1 || value.compareTo(MAX_DURATION) > 0) {
            throw new IllegalArgumentException(name + " must be between 1 ms and 1 day: " + value);
        }
        return value;
    }
}
