package org.gcs.routing.kademlia.route;

import java.lang.System.Logger.Level;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.gcs.api.NodeId;
import org.gcs.api.ProtocolException;
import org.gcs.api.TransportException;
import org.gcs.api.UserId;
import org.gcs.api.routing.Endpoint;
import org.gcs.api.routing.NodeAddress;
import org.gcs.api.routing.Presence;
import org.gcs.routing.kademlia.dht.Contact;
import org.gcs.routing.kademlia.route.wire.RouteWire;

/**
 * The presences of devices at their users' handlers, from both sides. As the node devices attach to, it puts their
 * presences at all r handlers (at attach, every republish interval, and soon after a node links anew, which may be a
 * restarted handler), withdraws them at detach, and moves a user's devices when it is no longer one of her handlers.
 * As a handler, it stores presences other nodes put (they expire after three intervals) and tells a node that one of
 * its devices is attached elsewhere now. Thread-safe.
 */
final class PresenceReplication {
    private static final System.Logger LOG = System.getLogger(PresenceReplication.class.getName());
    private static final long PROMPT_REPUBLISH_MILLIS = 2000;

    private final NodeDirectory directory;
    private final AttachedDevices attached;
    private final HandledPresences handled;
    private final NodeAddress self;
    private final InetSocketAddress selfLink;
    private final long ttlSeconds;
    /** Peers with an open link that has sent this node a request; a peer new to it may be a restarted handler. */
    private final Set<NodeId> linkedPeers = ConcurrentHashMap.newKeySet();
    private final AtomicLong lastPromptRepublish = new AtomicLong();
    /** Encoded bytes of presences per PRESENCE_PUT call: a longer friends list goes in parts (route.proto, Presence). */
    private final int putBudgetBytes;
    private final PresenceParts parts = new PresenceParts();

    PresenceReplication(NodeDirectory directory, AttachedDevices attached, HandledPresences handled, NodeAddress self,
            InetSocketAddress selfLink, Duration republish, int putBudgetBytes) {
        this.directory = directory;
        this.attached = attached;
        this.handled = handled;
        this.self = self;
        this.selfLink = selfLink;
        this.ttlSeconds = Math.max(1, republish.toSeconds() * 3 + 5);
        this.putBudgetBytes = putBudgetBytes;
    }

    // ----- as the node devices are attached to

    /** Puts {@code presences} (devices of {@code user} attached here) at her handlers; fails if none took them. */
    CompletableFuture<Void> publish(UserId user, List<Presence> presences) {
        return directory.handlerContacts(user).thenCompose(handlers -> putAt(user, handlers, presences));
    }

    private CompletableFuture<Void> putAt(UserId user, List<Contact> handlers, List<Presence> presences) {
        RouteWire.PresencePut header = RouteWire.PresencePut.newBuilder()
                .setTtlSeconds((int) ttlSeconds)
                .setNode(RouteWire.NodeInfo.newBuilder().setDaemonHost(self.host()).setDaemonPort(self.port())).build();
        List<byte[]> bodies = PresenceParts.split(header,
                presences.stream().map(p -> RouteCodec.presence(p.device(), p.friends())).toList(), putBudgetBytes)
                .stream().map(RouteWire.PresencePut::toByteArray).toList();
        List<CompletableFuture<Void>> puts = new ArrayList<>();
        for (Contact handler : handlers) {
            if (directory.isSelf(handler)) {
                puts.add(store(presences, selfLink, ttlSeconds));
            } else {
                List<CompletableFuture<Void>> calls = bodies.stream().map(body -> directory.call(handler,
                        RouteWire.Method.PRESENCE_PUT, body).thenAccept(RouteCodec::parseAnswer)).toList();
                puts.add(CompletableFuture.allOf(calls.toArray(CompletableFuture[]::new)));
            }
        }
        return CompletableFuture.allOf(puts.toArray(CompletableFuture[]::new)).handle((v, e) -> {
            long stored = puts.stream().filter(p -> !p.isCompletedExceptionally()).count();
            if (stored < puts.size()) {
                directory.invalidate(user); // a handler is gone: the next republish looks them up anew
            }
            if (stored == 0) {
                throw new TransportException("no handler of " + user + " took the presence of its devices");
            }
            return null;
        });
    }

    /** Takes {@code device}'s presence back from her handlers (best effort; never fails). */
    CompletableFuture<Void> withdraw(Endpoint device) {
        byte[] drop = RouteWire.PresenceDrop.newBuilder().setDevice(RouteCodec.device(device)).build().toByteArray();
        return directory.handlerContacts(device.user()).thenCompose(contacts -> {
            List<CompletableFuture<?>> drops = new ArrayList<>();
            for (Contact handler : contacts) {
                if (directory.isSelf(handler)) {
                    handled.remove(device, self.id());
                } else {
                    drops.add(directory.call(handler, RouteWire.Method.PRESENCE_DROP, drop));
                }
            }
            return CompletableFuture.allOf(drops.toArray(CompletableFuture[]::new));
        }).handle((v, e) -> null);
    }

    /**
     * Every republish interval: puts the presences of the devices attached here again, one lookup per user, and moves
     * the users this node no longer handles.
     */
    void republish() {
        if (directory.alone()) {
            return;
        }
        attached.byUser().forEach((user, attachments) -> directory.handlerContacts(user).thenAccept(handlers -> {
            putAt(user, handlers, attachments.stream().map(AttachedDevices.Attachment::presence).toList());
            if (handlers.stream().noneMatch(directory::isSelf)) {
                directory.daemonAddresses(user, handlers).thenAccept(addresses -> {
                    LOG.log(Level.INFO, () -> user + " is handled by " + addresses + " now: moving her devices");
                    attachments.forEach(a -> a.sink().moveTo(addresses));
                });
            }
        }));
    }

    /**
     * Records that {@code peer} sent a request; true when it is new here: it joined, or restarted and lost the
     * presences it held as a handler (a peer stays known while its link is open).
     */
    boolean linkedAnew(NodeId peer) {
        if (!linkedPeers.add(peer)) {
            return false;
        }
        directory.existingLink(peer).ifPresent(link -> link.closeFuture().whenComplete((v, e) -> linkedPeers.remove(peer)));
        return true;
    }

    /**
     * After a peer linked anew: whether the presences of the devices attached here should be put again soon rather
     * than at the next republish (at most every 2 s).
     */
    boolean promptRepublishDue() {
        long now = System.currentTimeMillis();
        long last = lastPromptRepublish.get();
        return !attached.isEmpty() && now - last >= PROMPT_REPUBLISH_MILLIS && lastPromptRepublish.compareAndSet(last, now);
    }

    // ----- as a handler

    /** Stores the presences another node put ({@code PRESENCE_PUT}) and remembers where it takes daemons. */
    CompletableFuture<Void> onPut(NodeId peer, InetSocketAddress peerLink, byte[] body) {
        RouteWire.PresencePut put = RouteCodec.parse(body, RouteWire.PresencePut.parser());
        RouteWire.NodeInfo info = put.getNode();
        if (info.getDaemonPort() < 1 || info.getDaemonPort() > 65535 || info.getDaemonHost().isEmpty()) {
            throw new ProtocolException("presence put without the node's daemon address");
        }
        directory.rememberDaemonAddress(new NodeAddress(peer, info.getDaemonHost(), info.getDaemonPort()));
        List<Presence> presences = new ArrayList<>();
        long now = System.currentTimeMillis();
        for (RouteWire.Presence part : put.getPresencesList()) {
            parts.add(peer, part, now).ifPresent(p ->
                    presences.add(new Presence(RouteCodec.endpoint(p.getDevice()), peer, RouteCodec.policy(p))));
        }
        long ttl = Math.min(Math.max(put.getTtlSeconds(), 1), 3600);
        return store(presences, peerLink, ttl);
    }

    /** Forgets a presence its node withdrew ({@code PRESENCE_DROP}). */
    CompletableFuture<Void> onDrop(NodeId peer, byte[] body) {
        RouteWire.PresenceDrop drop = RouteCodec.parse(body, RouteWire.PresenceDrop.parser());
        handled.remove(RouteCodec.endpoint(drop.getDevice()), peer);
        return CompletableFuture.completedFuture(null);
    }

    /** A handler says a device attached here is attached elsewhere now ({@code REPLACED}): its attachment ends. */
    CompletableFuture<Void> onReplaced(NodeId peer, byte[] body) {
        RouteWire.Replaced replaced = RouteCodec.parse(body, RouteWire.Replaced.parser());
        Endpoint device = RouteCodec.endpoint(replaced.getDevice());
        NodeId now = RouteCodec.node(replaced.getNewNode());
        return directory.requireHandler(peer, device.user()).thenRun(() -> replacedHere(device, now));
    }

    /** Stores presences put by their node; tells the node a device left that it is attached elsewhere now. */
    private CompletableFuture<Void> store(List<Presence> presences, InetSocketAddress nodeLink, long ttlSeconds) {
        long expires = System.currentTimeMillis() + ttlSeconds * 1000;
        List<CompletableFuture<Void>> told = new ArrayList<>();
        for (Presence presence : presences) {
            HandledPresences.Entry previous = handled.put(presence, nodeLink, expires);
            if (previous != null && !previous.node().equals(presence.node())) {
                told.add(tellReplaced(previous, presence.node()));
            }
        }
        return CompletableFuture.allOf(told.toArray(CompletableFuture[]::new));
    }

    private CompletableFuture<Void> tellReplaced(HandledPresences.Entry previous, NodeId now) {
        Endpoint device = previous.presence().device();
        if (previous.node().equals(self.id())) {
            replacedHere(device, now);
            return CompletableFuture.completedFuture(null);
        }
        byte[] body = RouteWire.Replaced.newBuilder().setDevice(RouteCodec.device(device)).setNewNode(RouteCodec.bytes(now))
                .build().toByteArray();
        return directory.call(new Contact(previous.node(), previous.nodeLink()), RouteWire.Method.REPLACED, body)
                .handle((v, e) -> null);
    }

    private void replacedHere(Endpoint device, NodeId now) {
        AttachedDevices.Attachment gone = attached.remove(device);
        if (gone != null) {
            LOG.log(Level.DEBUG, () -> device + " attached at " + now + ": its attachment here is over");
            gone.sink().replaced(now);
        }
    }
}
