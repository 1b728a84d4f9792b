package org.gcs.relay;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/** What the relay carried: registrations, forwards (and of them, to nobody), bytes forwarded. Thread-safe. */
final class RelayStats {
    private final LongAdder registrations = new LongAdder();
    private final LongAdder forwards = new LongAdder();
    private final LongAdder unknownPeer = new LongAdder();
    private final LongAdder forwardedBytes = new LongAdder();
    private final LongAdder refused = new LongAdder();

    void registered() {
        registrations.increment();
    }

    void forwarded(int bytes) {
        forwards.increment();
        forwardedBytes.add(bytes);
    }

    void unknownPeer() {
        unknownPeer.increment();
    }

    /** A connection closed for a fatal error (malformed, oversize, replaced, full). */
    void refused() {
        refused.increment();
    }

    Map<String, Long> snapshot(int registeredNow) {
        Map<String, Long> values = new LinkedHashMap<>();
        values.put("registered.current", (long) registeredNow);
        values.put("registrations", registrations.sum());
        values.put("forwards", forwards.sum());
        values.put("forwards.unknown.peer", unknownPeer.sum());
        values.put("forwarded.bytes", forwardedBytes.sum());
        values.put("connections.refused", refused.sum());
        return values;
    }
}
