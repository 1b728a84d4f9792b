package org.gcs.auth.bns;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * The cacheable half of a BNS login, "who owns this name now", in front of one {@link NameService}: answers are kept
 * for {@code ttlMillis} (at most {@code maxEntries}, least recently used out first); concurrent questions about one name
 * share one lookup; at most {@code maxInFlight} lookups run at once (beyond, a login fails at once rather than
 * queueing); and a circuit opens after {@code failuresToOpen} failed lookups in a row, or when the service answers 429,
 * so that for {@code openMillis} (or its {@code retry-after}) logins fail at once with "name service unreachable"
 * instead of hanging on a dead service. Thread-safe; never blocks.
 */
final class OwnershipCache {
    private record Entry(NameRecord record, long expiresMillis) {
    }

    private final NameService service;
    private final long ttlMillis;
    private final int maxInFlight;
    private final int failuresToOpen;
    private final long openMillis;
    private final LongSupplier clock;
    private final Map<BnsName, Entry> entries;
    private final Map<BnsName, CompletableFuture<NameRecord>> inFlight = new ConcurrentHashMap<>();
    private int failures;
    private long openUntil;
    private String lastFailure;

    OwnershipCache(NameService service, long ttlMillis, int maxEntries, int maxInFlight, int failuresToOpen,
            long openMillis, LongSupplier clock) {
        this.service = service;
        this.ttlMillis = ttlMillis;
        this.maxInFlight = maxInFlight;
        this.failuresToOpen = failuresToOpen;
        this.openMillis = openMillis;
        this.clock = clock;
        this.entries = new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<BnsName, Entry> eldest) {
                return size() > maxEntries;
            }
        };
    }

    /** The record of {@code name}: cached if fresh, else looked up (once, however many ask meanwhile). */
    CompletableFuture<NameRecord> record(BnsName name) {
        long now = clock.getAsLong();
        CompletableFuture<NameRecord> lookup = new CompletableFuture<>();
        synchronized (this) {
            Entry e = entries.get(name);
            if (e != null && e.expiresMillis() > now) {
                return CompletableFuture.completedFuture(e.record());
            }
            CompletableFuture<NameRecord> pending = inFlight.get(name);
            if (pending != null) {
                return pending;
            }
            if (now < openUntil) {
                return CompletableFuture.failedFuture(new NameServiceException("name service unreachable: "
                        + lastFailure + "; logins by BNS name fail for " + (openUntil - now + 999) / 1000 + " s more"));
            }
            if (inFlight.size() >= maxInFlight) {
                return CompletableFuture.failedFuture(new NameServiceException("name service busy: " + maxInFlight
                        + " lookups are in flight already"));
            }
            inFlight.put(name, lookup);
        }
        CompletableFuture<NameRecord> started;
        try {
            started = service.lookup(name);
        } catch (RuntimeException e) {
            started = CompletableFuture.failedFuture(e);
        }
        started.whenComplete((r, e) -> {
            NameServiceException failure = e == null ? null : failure(e);
            synchronized (this) {
                inFlight.remove(name);
                if (failure == null) {
                    failures = 0;
                    entries.put(name, new Entry(r, clock.getAsLong() + ttlMillis));
                } else if (!failure.definite()) { // a real answer about the name says nothing of the service
                    lastFailure = failure.getMessage();
                    if (++failures >= failuresToOpen || failure.retryAfterMillis() > 0) {
                        openUntil = clock.getAsLong() + Math.max(openMillis, failure.retryAfterMillis());
                    }
                }
            }
            if (failure == null) {
                lookup.complete(r);
            } else {
                lookup.completeExceptionally(failure);
            }
        });
        return lookup;
    }

    /** A failed lookup as the {@link NameServiceException} logins are refused with. */
    private NameServiceException failure(Throwable e) {
        Throwable cause = e instanceof java.util.concurrent.CompletionException && e.getCause() != null ? e.getCause() : e;
        return cause instanceof NameServiceException n ? n
                : new NameServiceException(service.describe() + " failed: " + cause, 0, cause);
    }
}
