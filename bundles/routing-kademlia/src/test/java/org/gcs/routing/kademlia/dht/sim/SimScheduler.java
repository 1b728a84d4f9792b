package org.gcs.routing.kademlia.dht.sim;

import org.gcs.routing.kademlia.dht.Cancellable;
import org.gcs.routing.kademlia.dht.Scheduler;

/**
 * One simulated node's {@link Scheduler}: the shared {@link EventLoop}'s virtual clock and queue, plus a switch that
 * silences every task of the node once it is killed. Runs on the loop's thread.
 */
public final class SimScheduler implements Scheduler {
    private final EventLoop loop;
    private boolean killed;

    public SimScheduler(EventLoop loop) {
        this.loop = loop;
    }

    @Override
    public long nowMillis() {
        return loop.now();
    }

    @Override
    public Cancellable schedule(long delayMillis, Runnable task) {
        return loop.schedule(delayMillis, () -> {
            if (!killed) {
                task.run();
            }
        });
    }

    /** From now on the node's pending and future tasks do nothing. */
    public void kill() {
        killed = true;
    }
}
