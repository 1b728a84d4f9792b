package org.gcs.routing.kademlia.dht;

/** A task scheduled on a {@link Scheduler} that can still be called off. Any thread. */
@FunctionalInterface
public interface Cancellable {
    /** Stops the task from running if it has not started yet; does nothing otherwise. Idempotent. */
    void cancel();
}
