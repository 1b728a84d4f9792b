package org.gcs.routing.kademlia.link;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.gcs.api.NodeId;

/**
 * An open, authenticated connection to one other node, carrying calls in both directions multiplexed by request id,
 * and one-way messages. Obtain one from {@link LinkEndpoint#link}; whichever node dialed, both use the same link.
 * When both nodes dialed each other at the same moment, the link moves onto the connection both agree on (the one the
 * lower node id dialed) without failing a call; {@link #isOutbound()} and {@link #remoteAddress()} follow it.
 *
 * <p>Every method may be called from any thread and never blocks. The futures complete on the link's event loop
 * thread: dependent stages must not block there (use the {@code ...Async} variants with your own executor for slow
 * work). A link can close at any time (peer gone, idle, protocol violation, the endpoint closing); then every call
 * still waiting fails with {@link LinkClosedException} and {@link LinkEndpoint#link} makes a new one.
 *
 * <pre>{@code
 * endpoint.link(peerId, peerAddress)
 *         .thenCompose(link -> link.call(FIND_NODE, request))
 *         .whenComplete((answer, failure) -> ...);
 * }</pre>
 */
public interface Link {
    /** The node at the other end, proven by its TLS certificate. */
    NodeId peer();

    /** Where the peer says it accepts links (from its {@code LinkHello}; the host is claimed, not verified). */
    InetSocketAddress peerListenAddress();

    /** The address of the TCP connection's other end. */
    InetSocketAddress remoteAddress();

    /** True if this node dialed the link, false if the peer did. */
    boolean isOutbound();

    /** True until the link closes. */
    boolean isOpen();

    /**
     * Calls {@code method} on the peer with the default {@link LinkConfig#callTimeout()}.
     *
     * @return the peer's answer; or fails with {@link CallTimeoutException}, {@link TooManyInFlightException},
     *     {@link RemoteCallException} ({@link PeerBusyException}), {@link LinkClosedException}, or
     *     {@link IllegalArgumentException} if the call would not fit in {@link LinkConfig#maxFrameBytes()}
     */
    CompletableFuture<byte[]> call(int method, byte[] body);

    /** As {@link #call(int, byte[])} with its own timeout. */
    CompletableFuture<byte[]> call(int method, byte[] body, Duration timeout);

    /**
     * Sends a one-way message; returns once it is queued. Nothing says whether the peer got it.
     *
     * @throws LinkClosedException if the link is closed
     * @throws TooManyInFlightException if the peer does not read fast enough (nothing was queued)
     * @throws IllegalArgumentException if the message would not fit in {@link LinkConfig#maxFrameBytes()}
     */
    void send(int method, byte[] body);

    /** Closes the link (telling the peer); calls still waiting fail with {@link LinkClosedException}. Idempotent. */
    void close();

    /** Completes (normally, on the event loop) once the link is closed; {@link #closeReason()} then says why. */
    CompletableFuture<Void> closeFuture();

    /** Why the link closed, or {@code null} while it is open. */
    String closeReason();
}
