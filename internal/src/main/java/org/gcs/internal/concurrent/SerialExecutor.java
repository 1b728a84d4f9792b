package org.gcs.internal.concurrent;

import java.util.ArrayDeque;
import java.util.concurrent.Executor;
import java.util.logging.Level;
import java.util.logging.Logger;

/** Runs tasks one at a time, in submission order, on a shared pool: a session's state needs no further locking. */
public final class SerialExecutor implements Executor {
    private static final Logger LOG = Logger.getLogger(SerialExecutor.class.getName());

    private final Executor pool;
    private final ArrayDeque<Runnable> tasks = new ArrayDeque<>();
    private boolean running;

    public SerialExecutor(Executor pool) {
        this.pool = pool;
    }

    @Override
    public void execute(Runnable task) {
        synchronized (tasks) {
            tasks.add(task);
            if (running) {
                return;
            }
            running = true;
        }
        startDrain();
    }

    /**
     * Runs {@code task} on the calling thread when nothing runs or waits, else queues it like {@link #execute}. For
     * short steps that must not block, where a hand-off to the pool would sit on the critical path (the QUIC handshake
     * completing on an event loop); tasks submitted meanwhile go to the pool afterwards.
     */
    public void executeHereIfIdle(Runnable task) {
        synchronized (tasks) {
            if (running) {
                tasks.add(task);
                return;
            }
            running = true;
        }
        try {
            task.run();
        } catch (Throwable t) {
            LOG.log(Level.WARNING, "serial task failed", t);
        }
        synchronized (tasks) {
            if (tasks.isEmpty()) {
                running = false;
                return;
            }
        }
        startDrain();
    }

    /** Hands the queue to a pool thread; if the pool refuses (shut down), the queued tasks are dropped. */
    private void startDrain() {
        try {
            pool.execute(this::drain);
        } catch (RuntimeException e) {
            synchronized (tasks) {
                running = false;
                tasks.clear();
            }
            throw e;
        }
    }

    private void drain() {
        while (true) {
            Runnable next;
            synchronized (tasks) {
                next = tasks.poll();
                if (next == null) {
                    running = false;
                    return;
                }
            }
            try {
                next.run();
            } catch (Throwable t) {
                LOG.log(Level.WARNING, "serial task failed", t);
            }
        }
    }
}
