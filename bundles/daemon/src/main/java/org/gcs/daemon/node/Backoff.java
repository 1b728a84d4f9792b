package org.gcs.daemon.node;

import java.time.Duration;
import java.util.random.RandomGenerator;

/**
 * Exponential reconnect delays with jitter: {@code initial}, doubling per failure up to {@code max}, each drawn
 * uniformly from 80 % to 120 % of the nominal delay (so daemons that lost the same node do not return in step).
 */
public final class Backoff {
    private final long initialMillis;
    private final long maxMillis;
    private final RandomGenerator random;
    private int failures;

    public Backoff(Duration initial, Duration max, RandomGenerator random) {
        if (initial.isNegative() || initial.isZero() || max.compareTo(initial) < 0) {
            throw new IllegalArgumentException("need 0 < initial <= max: " + initial + ", " + max);
        }
        this.initialMillis = initial.toMillis();
        this.maxMillis = max.toMillis();
        this.random = random;
    }

    /** The delay before the next attempt; each call counts one more failure. */
    public synchronized long nextDelayMillis() {
        long nominal = initialMillis << Math.min(failures, 20);
        nominal = Math.min(nominal, maxMillis);
        failures++;
        double factor = 0.8 + 0.4 * random.nextDouble();
        return Math.max(1, Math.round(nominal * factor));
    }

    /** Back to {@code initial} after a success. */
    public synchronized void reset() {
        failures = 0;
    }
}
