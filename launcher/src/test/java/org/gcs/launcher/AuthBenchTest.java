package org.gcs.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class AuthBenchTest {
    private static final long MS = 1_000_000;

    @Test
    void aConstantCostShowsAsThatDifferenceWithATightInterval() {
        List<Long> plain = new ArrayList<>();
        List<Long> authenticated = new ArrayList<>();
        Random r = new Random(1);
        for (int i = 0; i < 201; i++) {
            long base = 60 * MS + (long) (r.nextGaussian() * 10 * MS);
            plain.add(base);
            authenticated.add(base + 3 * MS);
        }
        AuthBench.Comparison c = AuthBench.compare(plain, authenticated, new int[2]);
        assertEquals(3.0, c.medianDifferenceMs(), 1e-9);
        assertEquals(3.0, c.pairedMedianMs(), 1e-9);
        assertEquals(3.0, c.lowMs(), 1e-9, "every resample keeps each pair together");
        assertEquals(3.0, c.highMs(), 1e-9);
        assertEquals(201, c.plain().ok());
    }

    @Test
    void independentNoiseWidensTheIntervalAroundTheTrueDifference() {
        List<Long> plain = new ArrayList<>();
        List<Long> authenticated = new ArrayList<>();
        Random r = new Random(2);
        for (int i = 0; i < 400; i++) {
            plain.add(60 * MS + (long) (r.nextGaussian() * 10 * MS));
            authenticated.add(61 * MS + (long) (r.nextGaussian() * 10 * MS));
        }
        AuthBench.Comparison c = AuthBench.compare(plain, authenticated, new int[] {2, 3});
        assertTrue(c.lowMs() < c.medianDifferenceMs() && c.medianDifferenceMs() < c.highMs(), c.toString());
        assertTrue(c.lowMs() < 1.0 && 1.0 < c.highMs(), "the interval holds the true 1 ms: " + c);
        assertTrue(c.highMs() - c.lowMs() < 5.0, "400 pairs with 10 ms noise: " + c);
        assertEquals(2, c.plain().failed());
        assertEquals(3, c.authenticated().failed());
    }
}
