package org.gcs.routing.kademlia.link;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import org.gcs.api.NodeId;

/**
 * The {@link PeerLink} handed out for each peer, and the dials in progress, of one endpoint. Thread-safe (one lock,
 * never held while calling into a connection).
 *
 * <p>When a second connection to the same peer checks out, one is preferred (the handle moves to it) and the other is
 * retired: it carries no new calls and closes once its grace period ({@link LinkConfig#handshakeTimeout()}) is over and
 * nothing waits on it.
 * <ul>
 *   <li>Both nodes dialed at the same time: the connection dialed by the node with the lower id wins, so both ends
 *       agree without talking. By the end of the grace period the peer has seen the winner too.</li>
 *   <li>The same node dialed again: the newer connection wins (the dialer gave up the old one, e.g. it restarted and
 *       the old connection is half-open); an old inbound connection is closed at once.</li>
 * </ul>
 */
final class LinkRegistry {
    private final NodeId self;
    private final Map<NodeId, PeerLink> handles = new HashMap<>();
    private final Map<NodeId, CompletableFuture<Link>> dials = new HashMap<>();
    private boolean closed;

    LinkRegistry(NodeId self) {
        this.self = self;
    }

    /** The open link to {@code peer}, or {@code null}. */
    synchronized PeerLink preferred(NodeId peer) {
        PeerLink link = handles.get(peer);
        return link != null && link.isOpen() ? link : null;
    }

    /** Every open link, one per peer. */
    synchronized List<Link> all() {
        List<Link> open = new ArrayList<>();
        for (PeerLink link : handles.values()) {
            if (link.isOpen()) {
                open.add(link);
            }
        }
        return open;
    }

    /**
     * The open link to {@code peer}, else the dial in progress to it, else a new dial that {@code dialer} starts (it
     * completes the future it is given).
     */
    CompletableFuture<Link> linkTo(NodeId peer, Consumer<CompletableFuture<Link>> dialer) {
        CompletableFuture<Link> dial;
        synchronized (this) {
            if (closed) {
                return CompletableFuture.failedFuture(new LinkClosedException("the link endpoint is closed"));
            }
            PeerLink live = handles.get(peer);
            if (live != null && live.isOpen()) {
                return CompletableFuture.completedFuture(live);
            }
            CompletableFuture<Link> running = dials.get(peer);
            if (running != null) {
                return running.copy();
            }
            dial = new CompletableFuture<>();
            dials.put(peer, dial);
        }
        CompletableFuture<Link> started = dial;
        dial.whenComplete((link, failure) -> {
            synchronized (this) {
                dials.remove(peer, started);
            }
        });
        dialer.accept(dial);
        return dial.copy();
    }

    /** Adds a connection whose hello checked out; returns the peer's link (new, or the one there, now maybe on it). */
    PeerLink add(ChannelLink added) {
        PeerLink handle;
        ChannelLink winner;
        ChannelLink loser;
        synchronized (this) {
            handle = handles.get(added.peer());
            ChannelLink current = handle == null ? null : handle.current();
            if (current == null || !current.isOpen() || handle.closeFuture().isDone()) {
                handle = new PeerLink(added);
                handles.put(added.peer(), handle);
                return handle;
            }
            winner = preferable(current, added);
            loser = winner == added ? current : added;
            handle.switchTo(winner);
        }
        if (loser.isOutbound() == winner.isOutbound() && !loser.isOutbound()) {
            loser.close("replaced by a newer link the same node opened");
        } else {
            loser.retire();
        }
        return handle;
    }

    private ChannelLink preferable(ChannelLink current, ChannelLink added) {
        if (current.isOutbound() == added.isOutbound()) {
            return added;
        }
        NodeId dialerOfAdded = added.isOutbound() ? self : added.peer();
        NodeId lower = self.compareTo(added.peer()) < 0 ? self : added.peer();
        return dialerOfAdded.equals(lower) ? added : current;
    }

    /** A connection closed: its peer's link ends if it was on that connection. */
    void remove(ChannelLink link) {
        PeerLink ended = null;
        synchronized (this) {
            PeerLink handle = link.peer() == null ? null : handles.get(link.peer());
            if (handle != null && handle.current() == link) {
                handles.remove(link.peer());
                ended = handle;
            }
        }
        if (ended != null) {
            ended.ended();
        }
    }

    /** Refuses new dials and fails those in progress. */
    void close() {
        List<CompletableFuture<Link>> running;
        synchronized (this) {
            closed = true;
            running = new ArrayList<>(dials.values());
        }
        running.forEach(dial -> dial.completeExceptionally(new LinkClosedException("the link endpoint is closed")));
    }
}
