package org.gcs.launcher;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The soak benchmark's report, without running one. */
class SoakBenchTest {
    @Test
    void theReportShowsEverySampleAndTheGrowthOverTheBaseline() throws Exception {
        SoakBench.Usage a = new SoakBench.Usage(50, 7, 75, 200_000, 23_000);
        SoakBench.Usage b = new SoakBench.Usage(51, 8, 80, 210_000, 46_000);
        SoakBench.Usage node = new SoakBench.Usage(45, 7, 35, 140_000, -1);
        String md = SoakBench.markdown(List.of(new SoakBench.Sample(20, 170, 0, a, a, node),
                new SoakBench.Sample(600, 8500, 0, b, b, node)));
        assertTrue(md.contains("| 600 | 8500 | 0 | 51 / 8 / 80 / 44.9 | 51 / 8 / 80 / 44.9 | 45 / 35 / ? |"), md);
        assertTrue(md.contains("Alice +1 descriptors, +5 threads, heap after GC 2.00x"), md);
    }
}
