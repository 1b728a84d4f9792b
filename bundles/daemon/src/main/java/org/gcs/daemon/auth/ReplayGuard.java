package org.gcs.daemon.auth;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * Refuses signed offers that are stale or seen before. An offer's timestamp must lie within {@code window} of this
 * device's clock, either way (clock skew between devices); a connection id is remembered until its timestamp leaves the
 * window, so within the window a second offer with the same id is a replay. At most {@code capacity} ids are
 * remembered: when that many are live, new offers are refused (fail closed) until old ones expire. Thread-safe.
 *
 * <pre>{@code
 * ReplayGuard guard = new ReplayGuard(ReplayGuard.DEFAULT_WINDOW, ReplayGuard.DEFAULT_CAPACITY, System::currentTimeMillis);
 * String problem = guard.check(connectionId, offerTimestampMillis);  // null: fresh, and now remembered
 * }</pre>
 */
public final class ReplayGuard {
    /** Offers signed more than 2 minutes before or after this device's clock are refused. */
    public static final Duration DEFAULT_WINDOW = Duration.ofMinutes(2);
    /** Live connection ids remembered at most. */
    public static final int DEFAULT_CAPACITY = 65_536;

    private final long windowMillis;
    private final int capacity;
    private final LongSupplier clockMillis;
    /** Connection id to the time (ms) after which its offer is stale anyway, in insertion order. */
    private final Map<ByteBuffer, Long> seen = new LinkedHashMap<>();

    public ReplayGuard(Duration window, int capacity, LongSupplier clockMillis) {
        if (window.isNegative() || window.isZero() || capacity < 1) {
            throw new IllegalArgumentException("window and capacity must be positive");
        }
        this.windowMillis = window.toMillis();
        this.capacity = capacity;
        this.clockMillis = clockMillis;
    }

    /**
     * Checks one offer whose signature is already verified, and remembers its id if fresh.
     *
     * @return null if the offer is fresh, otherwise why it is refused
     */
    public synchronized String check(byte[] connectionId, long timestampMillis) {
        long now = clockMillis.getAsLong();
        if (timestampMillis < now - windowMillis) {
            return "stale offer: signed " + (now - timestampMillis) + " ms ago, more than the " + windowMillis + " ms window";
        }
        if (timestampMillis > now + windowMillis) {
            return "offer from the future: signed " + (timestampMillis - now) + " ms ahead, more than the "
                    + windowMillis + " ms window";
        }
        ByteBuffer key = ByteBuffer.wrap(connectionId.clone());
        if (seen.containsKey(key)) {
            return "replayed offer: connection id already seen";
        }
        if (seen.size() >= capacity) {
            prune(now);
            if (seen.size() >= capacity) {
                return "too many recent offers (" + capacity + ") to tell replays apart";
            }
        }
        seen.put(key, timestampMillis + windowMillis);
        if ((seen.size() & 255) == 0) {
            prune(now);
        }
        return null;
    }

    /** How many ids are remembered now. */
    public synchronized int size() {
        return seen.size();
    }

    private void prune(long now) {
        for (Iterator<Long> it = seen.values().iterator(); it.hasNext(); ) {
            if (it.next() < now) {
                it.remove();
            }
        }
    }
}
