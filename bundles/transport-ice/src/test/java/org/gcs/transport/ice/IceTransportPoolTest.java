package org.gcs.transport.ice;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The session pool under a burst: more steps at once than it has threads (hundreds of connects starting together). */
class IceTransportPoolTest {
    private static IceTransport transport() {
        return new IceTransport(TransportSettings.configOf(Map.of("host_addresses", new String[] {"127.0.0.1"})));
    }

    @Test
    void stepsBeyondThePoolsThreadsWaitAndAllRun() throws Exception {
        IceTransport ice = transport();
        int steps = IceTransport.MAX_POOL_THREADS + 40;
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch busy = new CountDownLatch(IceTransport.MAX_POOL_THREADS);
        AtomicInteger ran = new AtomicInteger();
        try {
            for (int i = 0; i < steps; i++) {
                ice.pool().execute(() -> {
                    busy.countDown();
                    try {
                        release.await(20, TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    ran.incrementAndGet();
                });
            }
            assertTrue(busy.await(20, TimeUnit.SECONDS), "every pool thread took a step");
            assertTrue(ice.overflowQueued() > 0, "the steps beyond the pool's threads wait in the overflow queue");
            release.countDown();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (ran.get() < steps && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertEquals(steps, ran.get(), "every step ran, none was refused");
        } finally {
            release.countDown();
            ice.deactivate();
        }
    }

    @Test
    void aDeactivatedTransportRefusesSteps() {
        IceTransport ice = transport();
        ice.deactivate();
        assertThrows(RejectedExecutionException.class, () -> ice.pool().execute(() -> { }));
    }
}
