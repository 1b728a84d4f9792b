package org.gcs.daemon.core;

import com.google.protobuf.ByteString;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * Holds signals that arrive for a connection before its session exists (the callee's app is still deciding, or the
 * caller has not read the answer yet). Bounded three ways: at most {@code perConnection} signals per connection (later
 * ones are dropped), at most {@code connections} connections (the oldest is evicted), and entries older than
 * {@code maxAgeNanos} are expired.
 */
final class SignalBuffer {
    private final int perConnection;
    private final int connections;
    private final long maxAgeNanos;
    private final LongSupplier clock;
    private final Map<ByteString, Entry> entries = new LinkedHashMap<>();

    private static final class Entry {
        final long created;
        final List<byte[]> signals = new ArrayList<>();

        Entry(long created) {
            this.created = created;
        }
    }

    SignalBuffer(int perConnection, int connections, long maxAgeNanos, LongSupplier clock) {
        this.perConnection = perConnection;
        this.connections = connections;
        this.maxAgeNanos = maxAgeNanos;
        this.clock = clock;
    }

    /** Keeps {@code signal} for {@code connection}; false if it was dropped because that connection's buffer is full. */
    synchronized boolean add(ByteString connection, byte[] signal) {
        expire();
        Entry e = entries.get(connection);
        if (e == null) {
            if (entries.size() >= connections) {
                Iterator<ByteString> oldest = entries.keySet().iterator();
                oldest.next();
                oldest.remove();
            }
            e = new Entry(clock.getAsLong());
            entries.put(connection, e);
        }
        if (e.signals.size() >= perConnection) {
            return false;
        }
        e.signals.add(signal);
        return true;
    }

    /** Removes and returns the signals kept for {@code connection}, oldest first. */
    synchronized List<byte[]> drain(ByteString connection) {
        expire();
        Entry e = entries.remove(connection);
        return e == null ? List.of() : e.signals;
    }

    synchronized int size() {
        expire();
        return entries.size();
    }

    private void expire() {
        long now = clock.getAsLong();
        entries.values().removeIf(e -> now - e.created > maxAgeNanos);
    }
}
