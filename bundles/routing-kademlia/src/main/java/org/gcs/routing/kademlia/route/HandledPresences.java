package org.gcs.routing.kademlia.route;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.gcs.api.DeviceId;
import org.gcs.api.NodeId;
import org.gcs.api.RefusedException;
import org.gcs.api.UserId;
import org.gcs.api.routing.Endpoint;
import org.gcs.api.routing.Presence;

/**
 * What this node knows, as one of their handlers, of users' online devices: each device's {@link Presence} and the
 * node it is attached to, put there by that node and forgotten after a time-to-live unless put again. One node may
 * hold at most {@code maxPerNode} presences here, so a hostile node cannot fill a handler's memory. Thread-safe (one
 * lock, held for in-memory work only).
 */
public final class HandledPresences {
    /** One device as its handler knows it: where it is attached (that node's link address) and until when. */
    public record Entry(Presence presence, InetSocketAddress nodeLink, long expiresMillis) {
        public NodeId node() {
            return presence.node();
        }
    }

    private final int maxPerNode;
    private final Map<UserId, Map<DeviceId, Entry>> users = new HashMap<>();
    private final Map<NodeId, Integer> perNode = new HashMap<>();

    public HandledPresences(int maxPerNode) {
        if (maxPerNode < 1) {
            throw new IllegalArgumentException("maxPerNode must be positive: " + maxPerNode);
        }
        this.maxPerNode = maxPerNode;
    }

    /**
     * Records {@code presence} (its node is the node that put it) until {@code expiresMillis}.
     *
     * @return the entry it replaced, or {@code null}: when that entry names another node, the device moved there
     * @throws RefusedException when the putting node already holds its limit of presences here
     */
    public synchronized Entry put(Presence presence, InetSocketAddress nodeLink, long expiresMillis) {
        Objects.requireNonNull(nodeLink, "nodeLink");
        Endpoint device = presence.device();
        Map<DeviceId, Entry> devices = users.computeIfAbsent(device.user(), u -> new HashMap<>());
        Entry previous = devices.get(device.device());
        boolean sameNode = previous != null && previous.node().equals(presence.node());
        if (!sameNode && perNode.getOrDefault(presence.node(), 0) >= maxPerNode) {
            if (devices.isEmpty()) {
                users.remove(device.user());
            }
            throw new RefusedException("node " + presence.node() + " already has " + maxPerNode + " presences here");
        }
        devices.put(device.device(), new Entry(presence, nodeLink, expiresMillis));
        if (!sameNode) {
            perNode.merge(presence.node(), 1, Integer::sum);
            if (previous != null) {
                decrement(previous.node());
            }
        }
        return previous;
    }

    /** Forgets {@code device} if the presence recorded for it came from {@code node}; returns whether it did. */
    public synchronized boolean remove(Endpoint device, NodeId node) {
        Map<DeviceId, Entry> devices = users.get(device.user());
        Entry entry = devices == null ? null : devices.get(device.device());
        if (entry == null || !entry.node().equals(node)) {
            return false;
        }
        devices.remove(device.device());
        if (devices.isEmpty()) {
            users.remove(device.user());
        }
        decrement(node);
        return true;
    }

    /** Forgets every presence that {@code node} put (it was found dead); returns how many. */
    public synchronized int removeNode(NodeId node) {
        return removeIf((entry, now) -> entry.node().equals(node), 0);
    }

    /** Forgets the presences whose time-to-live ended before {@code nowMillis}; returns how many. */
    public synchronized int expire(long nowMillis) {
        return removeIf((entry, now) -> entry.expiresMillis() < now, nowMillis);
    }

    private interface EntryTest {
        boolean test(Entry entry, long nowMillis);
    }

    private int removeIf(EntryTest test, long nowMillis) {
        int removed = 0;
        for (Iterator<Map<DeviceId, Entry>> u = users.values().iterator(); u.hasNext(); ) {
            Map<DeviceId, Entry> devices = u.next();
            for (Iterator<Entry> d = devices.values().iterator(); d.hasNext(); ) {
                Entry entry = d.next();
                if (test.test(entry, nowMillis)) {
                    d.remove();
                    decrement(entry.node());
                    removed++;
                }
            }
            if (devices.isEmpty()) {
                u.remove();
            }
        }
        return removed;
    }

    private void decrement(NodeId node) {
        perNode.computeIfPresent(node, (n, count) -> count <= 1 ? null : count - 1);
    }

    /** The online devices of {@code user} as presences (empty when none). */
    public synchronized List<Presence> presences(UserId user) {
        Map<DeviceId, Entry> devices = users.get(user);
        return devices == null ? List.of() : devices.values().stream().map(Entry::presence).toList();
    }

    /** The entry of {@code device}, or {@code null}. */
    public synchronized Entry entry(Endpoint device) {
        Map<DeviceId, Entry> devices = users.get(device.user());
        return devices == null ? null : devices.get(device.device());
    }

    /** Whether {@code device} is recorded as attached at {@code node}. */
    public synchronized boolean isAttachedAt(Endpoint device, NodeId node) {
        Entry entry = entry(device);
        return entry != null && entry.node().equals(node);
    }

    /** Every entry, for tests and statistics. */
    public synchronized List<Entry> entries() {
        List<Entry> all = new ArrayList<>();
        users.values().forEach(devices -> all.addAll(devices.values()));
        return all;
    }

    public synchronized int size() {
        return perNode.values().stream().mapToInt(Integer::intValue).sum();
    }
}
