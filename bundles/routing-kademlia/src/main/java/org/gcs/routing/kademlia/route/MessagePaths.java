package org.gcs.routing.kademlia.route;

import java.lang.System.Logger.Level;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import org.gcs.api.DeviceOfflineException;
import org.gcs.api.NodeId;
import org.gcs.api.ProtocolException;
import org.gcs.api.UnknownUserException;
import org.gcs.api.routing.Endpoint;
import org.gcs.api.routing.HandlerRules;
import org.gcs.api.routing.Presence;
import org.gcs.api.routing.RoutedMessage;
import org.gcs.routing.kademlia.dht.Contact;
import org.gcs.routing.kademlia.link.LinkClosedException;
import org.gcs.routing.kademlia.route.wire.RouteWire;

/**
 * How a routed message travels. A connect request goes from the caller's node to the callee's first reachable handler
 * ({@code ROUTE}), which checks that the caller is attached where the request came from, applies the callee's friends
 * policy ({@link HandlerRules}) and hands it to the node her device is attached to ({@code DELIVER}). Later messages
 * carry the other end's node as a hint and go node to node with no lookup; a node accepts a direct message only for a
 * connection its device has (the node core checks that), and a stale hint falls back to the handlers. Messages from
 * one device to another keep their order. Thread-safe.
 */
final class MessagePaths {
    private static final System.Logger LOG = System.getLogger(MessagePaths.class.getName());

    private final NodeDirectory directory;
    private final AttachedDevices attached;
    private final HandledPresences handled;
    private final AttachmentClaims claims;
    /** The message a device last sent to each other device, not yet delivered: the next waits for it (order). */
    private final ConcurrentMap<List<Endpoint>, CompletableFuture<Void>> lanes = new ConcurrentHashMap<>();

    MessagePaths(NodeDirectory directory, AttachedDevices attached, HandledPresences handled, AttachmentClaims claims) {
        this.directory = directory;
        this.attached = attached;
        this.handled = handled;
        this.claims = claims;
    }

    /** Sends a message from a device attached here, after the previous one from the same sender to the same recipient. */
    CompletableFuture<Void> send(RoutedMessage message) {
        if (!message.origin().equals(directory.selfId())) {
            return CompletableFuture.failedFuture(new ProtocolException(
                    "message from node " + message.origin() + " handed to the router of node " + directory.selfId()));
        }
        if (!attached.contains(message.from())) {
            return CompletableFuture.failedFuture(new ProtocolException(
                    "sender " + message.from() + " is not attached to node " + message.origin()));
        }
        return inOrder(message);
    }

    /**
     * Sends {@code message} once the previous message from its sender to its recipient was delivered (or failed):
     * messages take different paths (a request through the handlers, later ones straight to the node) and would
     * otherwise overtake each other, and a signal that arrives before its connect request is dropped.
     */
    private CompletableFuture<Void> inOrder(RoutedMessage message) {
        List<Endpoint> lane = List.of(message.from(), message.to());
        CompletableFuture<Void> mine = new CompletableFuture<>(); // completes, always normally, when this one is done
        CompletableFuture<Void> previous = lanes.put(lane, mine);
        CompletableFuture<Void> turn = previous == null ? CompletableFuture.completedFuture(null) : previous;
        CompletableFuture<Void> sent = turn.thenCompose(v -> sendNow(message));
        sent.whenComplete((v, failure) -> {
            lanes.remove(lane, mine);
            mine.complete(null);
        });
        return sent;
    }

    private CompletableFuture<Void> sendNow(RoutedMessage message) {
        NodeId hint = message.toNode();
        if (message.kind() == RoutedMessage.Kind.CONNECT_REQUEST || hint == null) {
            return viaHandlers(message);
        }
        CompletableFuture<Void> direct;
        if (hint.equals(directory.selfId())) {
            direct = deliverHere(message);
        } else {
            InetSocketAddress link = directory.linkAddress(hint);
            if (link == null) {
                return viaHandlers(message);
            }
            direct = directory.call(new Contact(hint, link), RouteWire.Method.DELIVER, RouteCodec.routed(message).toByteArray())
                    .thenAccept(RouteCodec::parseAnswer);
        }
        // a stale hint (the device moved, or its node died) falls back to the handlers, which know where it is now
        return NodeDirectory.recover(direct, failure -> failure instanceof DeviceOfflineException || !RouteCodec.isRefusal(failure)
                ? viaHandlers(message) : CompletableFuture.failedFuture(failure));
    }

    private CompletableFuture<Void> viaHandlers(RoutedMessage message) {
        byte[] routed = RouteCodec.routed(message).toByteArray();
        return directory.atHandlers(message.to().user(), handler -> directory.isSelf(handler)
                ? routeAsHandler(message)
                : directory.call(handler, RouteWire.Method.ROUTE, routed).thenAccept(RouteCodec::parseAnswer));
    }

    /** Another node asks this one, as a handler of the recipient, to route a message ({@code ROUTE}). */
    CompletableFuture<Void> onRoute(NodeId peer, byte[] body) {
        RoutedMessage message = RouteCodec.message(RouteCodec.parse(body, RouteWire.Routed.parser()));
        if (!message.origin().equals(peer)) {
            throw new ProtocolException("node " + peer + " routed a message from node " + message.origin());
        }
        return claims.isAttachedAt(message.from(), peer).thenCompose(yes -> {
            if (!yes) {
                LOG.log(Level.WARNING, () -> "node " + peer + " routed a message from " + message.from()
                        + ", who is not attached there: refused");
                throw new ProtocolException("sender " + message.from() + " is not attached to node " + peer);
            }
            return routeAsHandler(message);
        });
    }

    /**
     * Another node hands this one a message for a device attached here ({@code DELIVER}): a connect request only from
     * a handler of the callee, a later message straight from the sender's node.
     */
    CompletableFuture<Void> onDeliver(NodeId peer, byte[] body) {
        RoutedMessage message = RouteCodec.message(RouteCodec.parse(body, RouteWire.Routed.parser()));
        if (message.origin().equals(peer) && message.kind() != RoutedMessage.Kind.CONNECT_REQUEST) {
            return deliverHere(message); // the node core checks it against the device's connections
        }
        return directory.requireHandler(peer, message.to().user()).thenCompose(v -> deliverHere(message));
    }

    /** At a handler of the recipient: applies her policies and hands the message to the node her device is at. */
    private CompletableFuture<Void> routeAsHandler(RoutedMessage message) {
        Endpoint to = message.to();
        HandledPresences.Entry target;
        if (message.kind() == RoutedMessage.Kind.CONNECT_REQUEST) {
            Presence admitted = HandlerRules.admitConnect(handled.presences(to.user()), message.from(), to);
            target = handled.entry(admitted.device());
        } else {
            if (handled.presences(to.user()).isEmpty()) {
                throw new UnknownUserException("no device of " + to.user() + " is online");
            }
            target = handled.entry(to);
        }
        if (target == null) {
            throw new DeviceOfflineException(to + " is not online");
        }
        if (target.node().equals(directory.selfId())) {
            return deliverHere(message);
        }
        HandledPresences.Entry at = target;
        return directory.call(new Contact(at.node(), at.nodeLink()), RouteWire.Method.DELIVER, RouteCodec.routed(message).toByteArray())
                .thenAccept(RouteCodec::parseAnswer)
                .exceptionallyCompose(failure -> {
                    Throwable cause = RouteCodec.unwrap(failure);
                    if (RouteCodec.isRefusal(cause)) {
                        return CompletableFuture.failedFuture(cause);
                    }
                    if (cause instanceof LinkClosedException && directory.existingLink(at.node()).isEmpty()) {
                        int dropped = handled.removeNode(at.node());
                        LOG.log(Level.INFO, () -> "node " + at.node() + " is unreachable: forgot its " + dropped + " presences");
                    }
                    return CompletableFuture.failedFuture(
                            new DeviceOfflineException(to + " is not reachable at its node: " + cause.getMessage(), cause));
                });
    }

    private CompletableFuture<Void> deliverHere(RoutedMessage message) {
        AttachedDevices.Attachment target = attached.get(message.to());
        if (target == null) {
            return CompletableFuture.failedFuture(new DeviceOfflineException(message.to() + " is not attached here"));
        }
        try {
            CompletableFuture<Void> delivered = target.sink().deliver(message);
            return delivered != null ? delivered : CompletableFuture.failedFuture(new IllegalStateException("sink answered null"));
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }
}
