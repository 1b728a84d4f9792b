package org.gcs.relay;

import io.netty.channel.Channel;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * Who is registered under which id, at most {@code max} at once. The latest registration of an id wins; the earlier
 * connection is returned so that it can be told and closed. Thread-safe.
 */
final class Registrations {
    private final ConcurrentMap<String, Channel> byId = new ConcurrentHashMap<>();
    private final int max;

    Registrations(int max) {
        this.max = max;
    }

    /** Outcome of {@link #register}: the connection it replaced, or that the relay is full. */
    record Outcome(boolean full, Channel replaced) {
    }

    Outcome register(String id, Channel channel) {
        if (!byId.containsKey(id) && byId.size() >= max) {
            return new Outcome(true, null);
        }
        Channel before = byId.put(id, channel);
        return new Outcome(false, before == channel ? null : before);
    }

    /** Forgets {@code id} if it is still registered by {@code channel}. */
    void unregister(String id, Channel channel) {
        byId.remove(id, channel);
    }

    Channel lookup(String id) {
        return byId.get(id);
    }

    int max() {
        return max;
    }

    int size() {
        return byId.size();
    }
}
