package org.gcs.routing.kademlia.route;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import org.gcs.api.NodeId;
import org.gcs.api.TransportException;
import org.gcs.api.UnknownUserException;
import org.gcs.api.UserId;
import org.gcs.api.routing.Endpoint;
import org.gcs.routing.kademlia.dht.Contact;
import org.gcs.routing.kademlia.route.wire.RouteWire;

/**
 * Checks a node's claim that a device is attached there (a {@code ROUTE} names its sender), and answers such checks
 * ({@code PRESENCE_CHECK}) for the users this node handles. A claim is known here when this node is that node or a
 * handler holding the presence; else it is asked of the user's other handlers, and a yes is remembered 30 s. A node is
 * never asked to vouch for itself, unless it is the user's only handler. Thread-safe.
 */
final class AttachmentClaims {
    private static final long VERIFIED_MILLIS = 30_000;
    private static final int MAX_VERIFIED = 100_000;

    /** A claim that a device is attached at a node. */
    private record Claim(Endpoint device, NodeId node) {
    }

    private final NodeDirectory directory;
    private final AttachedDevices attached;
    private final HandledPresences handled;
    private final ConcurrentMap<Claim, Long> verified = new ConcurrentHashMap<>();

    AttachmentClaims(NodeDirectory directory, AttachedDevices attached, HandledPresences handled) {
        this.directory = directory;
        this.attached = attached;
        this.handled = handled;
    }

    /** Whether {@code device} is attached at {@code node}; fails when nobody who could tell can be asked now. */
    CompletableFuture<Boolean> isAttachedAt(Endpoint device, NodeId node) {
        if (node.equals(directory.selfId())) {
            return CompletableFuture.completedFuture(attached.contains(device));
        }
        Claim claim = new Claim(device, node);
        Long until = verified.get(claim);
        if (handled.isAttachedAt(device, node) || until != null && until > System.currentTimeMillis()) {
            return CompletableFuture.completedFuture(true);
        }
        byte[] check = RouteWire.PresenceCheck.newBuilder().setDevice(RouteCodec.device(device))
                .setNode(RouteCodec.bytes(node)).build().toByteArray();
        return directory.handlerContacts(device.user()).thenCompose(handlers -> {
            List<Contact> others = handlers.stream()
                    .filter(h -> !h.id().equals(node) && !directory.isSelf(h)).toList();
            if (others.isEmpty()) {
                boolean selfIsHandler = handlers.stream().anyMatch(directory::isSelf);
                return CompletableFuture.completedFuture(!selfIsHandler);
            }
            return askInTurn(device.user(), others, 0, check, false);
        }).thenApply(yes -> {
            if (yes) {
                if (verified.size() > MAX_VERIFIED) {
                    verified.clear();
                }
                verified.put(claim, System.currentTimeMillis() + VERIFIED_MILLIS);
            }
            return yes;
        });
    }

    /**
     * Asks {@code handlers} in turn whether the claim holds: true at the first yes, false once every one answered or
     * some said no; fails with {@link TransportException} when none could be asked (the claim cannot be checked now).
     */
    private CompletableFuture<Boolean> askInTurn(UserId user, List<Contact> handlers, int index, byte[] check,
            boolean someAnswered) {
        if (index >= handlers.size()) {
            return someAnswered ? CompletableFuture.completedFuture(false)
                    : CompletableFuture.failedFuture(new TransportException("no handler of " + user + " can vouch now"));
        }
        return directory.call(handlers.get(index), RouteWire.Method.PRESENCE_CHECK, check)
                .handle((body, failure) -> {
                    if (failure == null) {
                        try {
                            RouteCodec.parseAnswer(body);
                            return Boolean.TRUE;
                        } catch (RuntimeException no) {
                            return RouteCodec.isRefusal(no) ? Boolean.FALSE : null;
                        }
                    }
                    return null; // unreachable or broken
                })
                .thenCompose(answer -> {
                    if (answer == null) {
                        directory.invalidate(user);
                    }
                    return Boolean.TRUE.equals(answer) ? CompletableFuture.completedFuture(true)
                            : askInTurn(user, handlers, index + 1, check, someAnswered || answer != null);
                });
    }

    /** Answers another node's {@code PRESENCE_CHECK}: completes if this node knows the claim holds, else refuses. */
    CompletableFuture<Void> onCheck(byte[] body) {
        RouteWire.PresenceCheck check = RouteCodec.parse(body, RouteWire.PresenceCheck.parser());
        Endpoint device = RouteCodec.endpoint(check.getDevice());
        NodeId node = RouteCodec.node(check.getNode());
        boolean yes = handled.isAttachedAt(device, node) || node.equals(directory.selfId()) && attached.contains(device);
        if (!yes) {
            throw new UnknownUserException(device + " is not attached at " + node + " as far as this handler knows");
        }
        return CompletableFuture.completedFuture(null);
    }

    /** Forgets the yeses older than 30 s. */
    void expire(long nowMillis) {
        verified.values().removeIf(until -> until < nowMillis);
    }
}
