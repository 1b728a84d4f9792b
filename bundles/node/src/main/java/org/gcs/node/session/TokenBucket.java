package org.gcs.node.session;

import java.util.function.LongSupplier;

/**
 * A token bucket: up to {@code burst} events at once, {@code perSecond} sustained. Thread-safe; the clock (nanoseconds)
 * is injected so tests need not sleep.
 */
public final class TokenBucket {
    private final double burst;
    private final double perNano;
    private final LongSupplier nanoClock;
    private double tokens;
    private long lastNanos;

    public TokenBucket(int burst, double perSecond, LongSupplier nanoClock) {
        if (burst < 1 || !(perSecond > 0)) {
            throw new IllegalArgumentException("a bucket needs burst >= 1 and a positive rate: " + burst + ", " + perSecond);
        }
        this.burst = burst;
        this.perNano = perSecond / 1e9;
        this.nanoClock = nanoClock;
        this.tokens = burst;
        this.lastNanos = nanoClock.getAsLong();
    }

    /** Takes one token if there is one; false means the caller is over its rate. */
    public synchronized boolean tryTake() {
        long now = nanoClock.getAsLong();
        tokens = Math.min(burst, tokens + (now - lastNanos) * perNano);
        lastNanos = now;
        if (tokens >= 1) {
            tokens -= 1;
            return true;
        }
        return false;
    }
}
