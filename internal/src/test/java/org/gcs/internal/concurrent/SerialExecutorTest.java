package org.gcs.internal.concurrent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(20)
class SerialExecutorTest {
    private final ExecutorService pool = Executors.newFixedThreadPool(4);

    @AfterEach
    void stop() {
        pool.shutdownNow();
    }

    @Test
    void tasksRunOneAtATimeInSubmissionOrderAndAFailingOneDoesNotStopTheRest() throws Exception {
        SerialExecutor serial = new SerialExecutor(pool);
        List<Integer> ran = Collections.synchronizedList(new ArrayList<>());
        AtomicInteger concurrent = new AtomicInteger();
        AtomicInteger maxConcurrent = new AtomicInteger();
        CountDownLatch done = new CountDownLatch(1);
        for (int i = 0; i < 2000; i++) {
            int n = i;
            serial.execute(() -> {
                maxConcurrent.accumulateAndGet(concurrent.incrementAndGet(), Math::max);
                ran.add(n);
                concurrent.decrementAndGet();
                if (n == 500) {
                    throw new IllegalStateException("task 500 fails (logged)");
                }
            });
        }
        serial.execute(done::countDown);
        assertTrue(done.await(10, TimeUnit.SECONDS));
        assertEquals(2000, ran.size());
        for (int i = 0; i < 2000; i++) {
            assertEquals(i, ran.get(i));
        }
        assertEquals(1, maxConcurrent.get(), "never two at once");
    }

    @Test
    void executeHereIfIdleRunsOnTheCallerWhenIdleAndQueuesOtherwise() throws Exception {
        SerialExecutor serial = new SerialExecutor(pool);
        Thread[] where = new Thread[1];
        serial.executeHereIfIdle(() -> where[0] = Thread.currentThread());
        assertSame(Thread.currentThread(), where[0], "idle: ran here");

        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch second = new CountDownLatch(1);
        serial.execute(() -> {
            try {
                release.await(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        serial.executeHereIfIdle(() -> {
            where[0] = Thread.currentThread();
            second.countDown();
        });
        assertEquals(1, second.getCount(), "busy: queued, not run here");
        release.countDown();
        assertTrue(second.await(5, TimeUnit.SECONDS));
        assertTrue(where[0] != Thread.currentThread());
    }

    @Test
    void aPoolThatRefusesDropsTheQueueAndSaysSo() {
        pool.shutdown();
        SerialExecutor serial = new SerialExecutor(pool);
        assertThrows(RejectedExecutionException.class, () -> serial.execute(() -> { }));
        assertThrows(RejectedExecutionException.class, () -> serial.execute(() -> { }), "not stuck as running");
    }
}
