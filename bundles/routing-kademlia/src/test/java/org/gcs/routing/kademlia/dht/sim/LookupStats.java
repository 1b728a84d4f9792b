package org.gcs.routing.kademlia.dht.sim;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** Summary of measured lookups: hop and time percentiles and the success rate. Immutable. */
public record LookupStats(int lookups, double successRate, int hopsMedian, int hopsP99, long millisMedian,
        long millisP99, double queriesMean) {

    /** Summarises {@code runs} (a lookup that failed or never ran counts as unsuccessful). */
    public static LookupStats of(List<SimCluster.Measured> runs) {
        List<Long> hops = new ArrayList<>();
        List<Long> millis = new ArrayList<>();
        long queries = 0;
        int ok = 0;
        for (SimCluster.Measured m : runs) {
            if (m.success()) {
                ok++;
            }
            if (m.result() != null) {
                hops.add((long) m.result().hops());
                millis.add(m.result().elapsedMillis());
                queries += m.result().queries();
            }
        }
        Collections.sort(hops);
        Collections.sort(millis);
        return new LookupStats(runs.size(), runs.isEmpty() ? 0 : (double) ok / runs.size(), (int) percentile(hops, 50),
                (int) percentile(hops, 99), percentile(millis, 50), percentile(millis, 99),
                hops.isEmpty() ? 0 : (double) queries / hops.size());
    }

    /** The nearest-rank percentile of a sorted list (0 for an empty list). */
    static long percentile(List<Long> sorted, int p) {
        if (sorted.isEmpty()) {
            return 0;
        }
        int rank = (int) Math.ceil(p / 100.0 * sorted.size());
        return sorted.get(Math.max(0, rank - 1));
    }

    @Override
    public String toString() {
        return String.format("%d lookups: success %.2f %%, hops median %d p99 %d, virtual ms median %d p99 %d,"
                + " queries mean %.1f", lookups, successRate * 100, hopsMedian, hopsP99, millisMedian, millisP99,
                queriesMean);
    }
}
