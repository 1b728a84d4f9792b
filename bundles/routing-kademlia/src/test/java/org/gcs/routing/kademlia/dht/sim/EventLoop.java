package org.gcs.routing.kademlia.dht.sim;

import java.util.PriorityQueue;
import java.util.function.BooleanSupplier;
import org.gcs.routing.kademlia.dht.Cancellable;

/**
 * Virtual time: a priority queue of tasks ordered by (time, sequence), run one at a time on the calling thread. No
 * threads, no wall clock: the same tasks scheduled in the same order run in the same order. A task that throws stops
 * the run (the exception propagates). Not thread-safe: one thread drives it.
 */
public final class EventLoop {
    private static final class Event implements Cancellable {
        final long time;
        final long seq;
        final Runnable task;
        boolean cancelled;

        Event(long time, long seq, Runnable task) {
            this.time = time;
            this.seq = seq;
            this.task = task;
        }

        @Override
        public void cancel() {
            cancelled = true;
        }
    }

    private final PriorityQueue<Event> queue = new PriorityQueue<>((a, b) -> a.time != b.time
            ? Long.compare(a.time, b.time) : Long.compare(a.seq, b.seq));
    private final long maxEvents;
    private long now;
    private long seq;
    private long executed;

    /** @param maxEvents a run that executes more tasks than this in total fails (bounds runaway simulations) */
    public EventLoop(long maxEvents) {
        this.maxEvents = maxEvents;
    }

    /** Virtual milliseconds since the start. */
    public long now() {
        return now;
    }

    /** Tasks executed so far. */
    public long executed() {
        return executed;
    }

    /** Runs {@code task} at {@code now() + max(0, delayMillis)}, after every task already due then. */
    public Cancellable schedule(long delayMillis, Runnable task) {
        Event e = new Event(now + Math.max(0, delayMillis), seq++, task);
        queue.add(e);
        return e;
    }

    /**
     * Runs tasks until {@code done} is true or virtual time would pass {@code deadline}; returns whether {@code done}
     * became true. Time stands at the last task run (or at the deadline when the queue ran dry before it).
     */
    public boolean runUntil(BooleanSupplier done, long deadline) {
        while (!done.getAsBoolean()) {
            Event e = queue.peek();
            if (e == null || e.time > deadline) {
                now = Math.max(now, Math.min(deadline, e == null ? deadline : e.time));
                return done.getAsBoolean();
            }
            queue.poll();
            if (e.cancelled) {
                continue;
            }
            now = e.time;
            if (++executed > maxEvents) {
                throw new IllegalStateException("simulation exceeded " + maxEvents + " events");
            }
            e.task.run();
        }
        return true;
    }

    /** Runs every task due within the next {@code millis}, then sets the time to exactly then. */
    public void runFor(long millis) {
        long end = now + millis;
        runUntil(() -> false, end);
        now = end;
    }
}
