package org.gcs.routing.kademlia.dht;

/**
 * Estimates how fast known contacts die: contacts removed from the routing table as dead, per second, per contact
 * held. The count decays exponentially with time constant {@link KadConfig#churnWindowMillis()} (so it reflects about
 * the last window), and the estimate is {@code decayedDeaths / window / contacts}. Thread-safe (one lock);
 * deterministic ({@link StrictMath}).
 */
final class ChurnMeter {
    private final long windowMillis;
    private double decayedDeaths;
    private long updatedMillis;
    private boolean started;

    ChurnMeter(long windowMillis) {
        this.windowMillis = windowMillis;
    }

    /** Records one contact removed as dead. */
    synchronized void contactDied(long nowMillis) {
        decay(nowMillis);
        decayedDeaths += 1;
    }

    /** Deaths per contact per second, given that the table holds {@code contacts} (0 when it holds none). */
    synchronized double deathRatePerContactPerSecond(long nowMillis, int contacts) {
        decay(nowMillis);
        if (contacts <= 0) {
            return 0;
        }
        return decayedDeaths / (windowMillis / 1000.0) / contacts;
    }

    private void decay(long nowMillis) {
        if (!started) {
            started = true;
            updatedMillis = nowMillis;
            return;
        }
        long elapsed = nowMillis - updatedMillis;
        if (elapsed > 0) {
            decayedDeaths *= StrictMath.exp(-(double) elapsed / windowMillis);
            updatedMillis = nowMillis;
        }
    }
}
