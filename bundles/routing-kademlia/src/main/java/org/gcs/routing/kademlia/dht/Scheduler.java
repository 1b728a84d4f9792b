package org.gcs.routing.kademlia.dht;

/**
 * The DHT's only clock and timer, injected so that tests run on virtual time. Implementations must be thread-safe;
 * tasks run on the scheduler's own thread (one at a time or not: the DHT does not assume either).
 */
public interface Scheduler {
    /** Milliseconds on a monotonic clock (not wall time); only differences mean something. */
    long nowMillis();

    /** Runs {@code task} once, {@code delayMillis} from now. */
    Cancellable schedule(long delayMillis, Runnable task);
}
