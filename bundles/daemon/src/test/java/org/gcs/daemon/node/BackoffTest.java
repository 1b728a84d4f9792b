package org.gcs.daemon.node;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Random;
import org.junit.jupiter.api.Test;

class BackoffTest {
    @Test
    void doublesUpToTheCapWithJitterAndResets() {
        Backoff b = new Backoff(Duration.ofMillis(500), Duration.ofSeconds(30), new Random(1));
        long[] nominal = {500, 1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000};
        for (long n : nominal) {
            long d = b.nextDelayMillis();
            assertTrue(d >= n * 0.8 - 1 && d <= n * 1.2 + 1, n + " -> " + d);
        }
        b.reset();
        long d = b.nextDelayMillis();
        assertTrue(d >= 399 && d <= 601, "after reset " + d);
    }
}
