package org.gcs.node.session;

import com.google.protobuf.ByteString;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.function.LongSupplier;
import org.gcs.api.NodeId;
import org.gcs.api.routing.Endpoint;

/**
 * The connections of the devices attached to this node: connection id to the caller and callee devices and, once
 * known, the node each end is attached to. The caller's node records one on {@code Connect}, the callee's node when
 * it delivers the {@code ConnectRequest}; signals and results then flow only between exactly those two devices, and
 * only from the node that vouched for the other end. The nodes also let later messages of a connection go node to
 * node without a lookup. An entry expires {@code ttl} after its last use. Thread-safe.
 */
public final class ConnectionTable {
    public static final Duration DEFAULT_TTL = Duration.ofMinutes(2);

    /** The two devices of one connection. */
    public record Connection(Endpoint caller, Endpoint callee) {
        public Connection {
            Objects.requireNonNull(caller, "caller");
            Objects.requireNonNull(callee, "callee");
        }

        /** The other end, if {@code self} is one end. */
        public Optional<Endpoint> peerOf(Endpoint self) {
            if (caller.equals(self)) {
                return Optional.of(callee);
            }
            return callee.equals(self) ? Optional.of(caller) : Optional.empty();
        }

        /** Whether {@code a} and {@code b} are the two ends, in either order. */
        public boolean joins(Endpoint a, Endpoint b) {
            return caller.equals(a) && callee.equals(b) || caller.equals(b) && callee.equals(a);
        }
    }

    private static final class Entry {
        final Connection connection;
        volatile long lastUsedNanos;
        volatile NodeId callerNode;
        volatile NodeId calleeNode;

        Entry(Connection connection, long now) {
            this.connection = connection;
            this.lastUsedNanos = now;
        }
    }

    private final ConcurrentMap<ByteString, Entry> entries = new ConcurrentHashMap<>();
    private final long ttlNanos;
    private final LongSupplier nanoClock;

    public ConnectionTable() {
        this(DEFAULT_TTL, System::nanoTime);
    }

    public ConnectionTable(Duration ttl, LongSupplier nanoClock) {
        this.ttlNanos = ttl.toNanos();
        this.nanoClock = nanoClock;
    }

    /**
     * Records {@code connection} under {@code id}.
     *
     * @return true if recorded or already recorded with the same two devices; false if the id belongs to another pair
     */
    public boolean record(ByteString id, Connection connection) {
        long now = nanoClock.getAsLong();
        Entry entry = entries.compute(id, (key, existing) ->
                existing == null || expired(existing, now) ? new Entry(connection, now) : existing);
        if (!entry.connection.equals(connection)) {
            return false;
        }
        entry.lastUsedNanos = now;
        return true;
    }

    /** The live connection with this id, marked as used. */
    public Optional<Connection> find(ByteString id) {
        Entry entry = entries.get(id);
        long now = nanoClock.getAsLong();
        if (entry == null || expired(entry, now)) {
            return Optional.empty();
        }
        entry.lastUsedNanos = now;
        return Optional.of(entry.connection);
    }

    /** Records that {@code end} of connection {@code id} is attached to {@code node}; the first node noted stays. */
    public void noteNode(ByteString id, Endpoint end, NodeId node) {
        Entry entry = entries.get(id);
        if (entry == null) {
            return;
        }
        synchronized (entry) {
            if (entry.connection.caller().equals(end) && entry.callerNode == null) {
                entry.callerNode = node;
            } else if (entry.connection.callee().equals(end) && entry.calleeNode == null) {
                entry.calleeNode = node;
            }
        }
    }

    /** The node {@code end} of connection {@code id} is attached to, if noted. */
    public Optional<NodeId> nodeOf(ByteString id, Endpoint end) {
        Entry entry = entries.get(id);
        if (entry == null) {
            return Optional.empty();
        }
        if (entry.connection.caller().equals(end)) {
            return Optional.ofNullable(entry.callerNode);
        }
        return entry.connection.callee().equals(end) ? Optional.ofNullable(entry.calleeNode) : Optional.empty();
    }

    public void remove(ByteString id) {
        entries.remove(id);
    }

    /** Drops every expired entry; returns how many. */
    public int removeExpired() {
        long now = nanoClock.getAsLong();
        int removed = 0;
        for (var it = entries.values().iterator(); it.hasNext(); ) {
            if (expired(it.next(), now)) {
                it.remove();
                removed++;
            }
        }
        return removed;
    }

    public int size() {
        return entries.size();
    }

    private boolean expired(Entry entry, long now) {
        return now - entry.lastUsedNanos > ttlNanos;
    }
}
