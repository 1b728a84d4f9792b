package org.gcs.routing.kademlia.dht;

import java.util.LinkedHashMap;
import java.util.Map;
import org.gcs.api.NodeId;

/**
 * Inbound query budgets: one token bucket per sender ({@link KadConfig#rateLimitBurst()} tokens, refilled at
 * {@link KadConfig#rateLimitPerSecond()}), the least recently seen senders forgotten beyond
 * {@link KadConfig#rateLimitSenders()}. Thread-safe (one lock).
 */
final class SenderRateLimiter {
    private static final class Budget {
        double tokens;
        long updatedMillis;

        Budget(double tokens, long updatedMillis) {
            this.tokens = tokens;
            this.updatedMillis = updatedMillis;
        }
    }

    private final int burst;
    private final double perMilli;
    private final Map<NodeId, Budget> budgets;

    SenderRateLimiter(KadConfig config) {
        this.burst = config.rateLimitBurst();
        this.perMilli = config.rateLimitPerSecond() / 1000.0;
        int maxSenders = config.rateLimitSenders();
        this.budgets = new LinkedHashMap<>(16, 0.75f, true) {
            private static final long serialVersionUID = 1L;

            @Override
            protected boolean removeEldestEntry(Map.Entry<NodeId, Budget> eldest) {
                return size() > maxSenders;
            }
        };
    }

    /** Takes one token from {@code sender}'s budget; false when it is spent. */
    synchronized boolean tryAcquire(NodeId sender, long nowMillis) {
        Budget b = budgets.get(sender);
        if (b == null) {
            budgets.put(sender, new Budget(burst - 1, nowMillis));
            return true;
        }
        long elapsed = Math.max(0, nowMillis - b.updatedMillis);
        b.tokens = Math.min(burst, b.tokens + elapsed * perMilli);
        b.updatedMillis = Math.max(b.updatedMillis, nowMillis);
        if (b.tokens < 1) {
            return false;
        }
        b.tokens -= 1;
        return true;
    }
}
