package org.gcs.routing.kademlia.dht;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Remembers the closest nodes found for a key (a user's handlers) for a while, so that routing to the same user again
 * costs no lookup. Bounded to {@link KadConfig#cacheMaxEntries()} keys, least recently used dropped first (0 turns
 * the cache off).
 *
 * <p>Time to live, adapted to churn: {@code TTL = clamp(c / λ, cacheMinTtl, cacheMaxTtl)} where λ is the observed
 * death rate of known contacts (deaths per contact per second, measured by {@code ChurnMeter}) and c is
 * {@link KadConfig#cacheChurnFactor()}. Reasoning: with r handlers each leaving at rate λ, an entry of age t is stale
 * with probability about r·λ·t; over an entry's life its mean age is TTL/2, so about r·c/2 of the answers served from
 * the cache miss a departure (3 % for r = 3, c = 0.02), and as many again miss a closer newcomer when joins balance
 * departures. Example: contacts living 1 h on average (λ = 1/3600 s) give TTL = 72 s; no observed deaths give the
 * maximum. A stale answer is not fatal: the caller that finds a handler dead calls {@link #invalidate}.
 *
 * <p>Thread-safe (one lock). The clock is passed in by the caller.
 */
public final class LookupCache {
    private record Entry(List<Contact> contacts, long expiresMillis) {
    }

    private final long minTtlMillis;
    private final long maxTtlMillis;
    private final double churnFactor;
    private final int maxEntries;
    private final Map<Key, Entry> entries;

    public LookupCache(KadConfig config) {
        this.minTtlMillis = config.cacheMinTtlMillis();
        this.maxTtlMillis = config.cacheMaxTtlMillis();
        this.churnFactor = config.cacheChurnFactor();
        this.maxEntries = config.cacheMaxEntries();
        this.entries = new LinkedHashMap<>(16, 0.75f, true) {
            private static final long serialVersionUID = 1L;

            @Override
            protected boolean removeEldestEntry(Map.Entry<Key, Entry> eldest) {
                return size() > maxEntries;
            }
        };
    }

    /** The TTL for a death rate of known contacts (per contact per second): the formula above. */
    public long ttlMillis(double deathRatePerContactPerSecond) {
        if (!(deathRatePerContactPerSecond > 0)) {
            return maxTtlMillis;
        }
        double ttl = churnFactor / deathRatePerContactPerSecond * 1000.0;
        return (long) Math.max(minTtlMillis, Math.min(maxTtlMillis, ttl));
    }

    /** Caches {@code contacts} (nearest first) for {@code key} until {@code nowMillis + ttlMillis}. */
    public synchronized void put(Key key, List<Contact> contacts, long nowMillis, long ttlMillis) {
        if (maxEntries > 0) {
            entries.put(key, new Entry(List.copyOf(contacts), nowMillis + ttlMillis));
        }
    }

    /** The contacts cached for {@code key}, or null when there are none or they expired. */
    public synchronized List<Contact> get(Key key, long nowMillis) {
        Entry e = entries.get(key);
        if (e == null) {
            return null;
        }
        if (nowMillis >= e.expiresMillis()) {
            entries.remove(key);
            return null;
        }
        return e.contacts();
    }

    /** Forgets {@code key} (e.g. one of its handlers turned out dead). */
    public synchronized void invalidate(Key key) {
        entries.remove(key);
    }

    /**
     * Forgets every key whose cached contacts {@code newcomer} may belong among: it is not one of them, and they are
     * fewer than {@code k} or it is closer to the key than the farthest of them. Call it when a node joins or comes
     * back, so that the next lookup of those keys (a user's handlers) finds it. Returns how many keys were forgotten.
     */
    public synchronized int invalidateWhereCloser(Contact newcomer, int k) {
        int before = entries.size();
        entries.entrySet().removeIf(e -> {
            List<Contact> cached = e.getValue().contacts();
            for (Contact c : cached) {
                if (c.id().equals(newcomer.id())) {
                    return false;
                }
            }
            return cached.size() < k || cached.isEmpty()
                    || e.getKey().compareDistance(newcomer.key(), cached.get(cached.size() - 1).key()) < 0;
        });
        return before - entries.size();
    }

    /** The number of keys held (expired ones included until they are asked for or pushed out). */
    public synchronized int size() {
        return entries.size();
    }
}
