package org.gcs.routing.kademlia.link;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.gcs.api.NodeId;

/**
 * The {@link Link} handed out for one peer: a stable handle over the connection currently preferred for it. When both
 * nodes dialed each other at once, the handle moves from the losing connection to the winning one ({@link LinkRegistry})
 * and its holders never notice; it closes when the connection it is on closes for any other reason. Thread-safe.
 */
final class PeerLink implements Link {
    private final CompletableFuture<Void> closed = new CompletableFuture<>();
    private volatile ChannelLink current;

    PeerLink(ChannelLink first) {
        this.current = first;
    }

    ChannelLink current() {
        return current;
    }

    /** Moves to {@code winner}; new calls go there, calls in flight finish on the old connection. */
    void switchTo(ChannelLink winner) {
        current = winner;
    }

    /** The connection it was on closed and none replaced it. */
    void ended() {
        closed.complete(null);
    }

    @Override
    public NodeId peer() {
        return current.peer();
    }

    @Override
    public InetSocketAddress peerListenAddress() {
        return current.peerListenAddress();
    }

    @Override
    public InetSocketAddress remoteAddress() {
        return current.remoteAddress();
    }

    @Override
    public boolean isOutbound() {
        return current.isOutbound();
    }

    @Override
    public boolean isOpen() {
        return !closed.isDone() && current.isOpen();
    }

    @Override
    public CompletableFuture<byte[]> call(int method, byte[] body) {
        return current.call(method, body);
    }

    @Override
    public CompletableFuture<byte[]> call(int method, byte[] body, Duration timeout) {
        return current.call(method, body, timeout);
    }

    @Override
    public void send(int method, byte[] body) {
        current.send(method, body);
    }

    @Override
    public void close() {
        current.close();
    }

    @Override
    public CompletableFuture<Void> closeFuture() {
        return closed.copy();
    }

    @Override
    public String closeReason() {
        return closed.isDone() ? current.closeReason() : null;
    }

    @Override
    public String toString() {
        return current.toString();
    }
}
