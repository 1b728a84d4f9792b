package org.gcs.routing.kademlia.dht.sim;

import java.util.List;
import org.gcs.routing.kademlia.dht.KadConfig;

/**
 * Measures the DHT on the simulator: for each network size, joins the nodes, looks up random keys, kills 20 % of the
 * nodes at once and looks up again; prints hops (median, p99), success rate (the true closest live node found) and
 * virtual time per lookup, plus the wall-clock each phase took. Bounded: a fixed number of nodes and lookups, and the
 * event loop's event cap.
 *
 * <p>Arguments (all optional): {@code sizes lookups seed}, e.g. {@code 1000,10000 2000 42} (the defaults).
 */
public final class DhtSimulationBench {
    private DhtSimulationBench() {
    }

    public static void main(String[] args) {
        String[] sizes = (args.length > 0 ? args[0] : "1000,10000").split(",");
        int lookups = args.length > 1 ? Integer.parseInt(args[1]) : 2000;
        long seed = args.length > 2 ? Long.parseLong(args[2]) : 42;
        KadConfig config = KadConfig.defaults();
        System.out.println("config: " + config);
        for (String size : sizes) {
            run(Integer.parseInt(size.trim()), lookups, seed, config);
        }
    }

    private static void run(int nodes, int lookups, long seed, KadConfig config) {
        long wallStart = System.nanoTime();
        SimCluster cluster = new SimCluster(seed, config);
        cluster.grow(nodes, 10);
        long joinedAt = System.nanoTime();
        double meanTable = cluster.alive().stream().mapToInt(n -> n.dht().table().size()).average().orElse(0);
        System.out.printf("%d nodes: joined in %.1f s wall, %.1f s virtual, %d events, %d requests,"
                + " mean table size %.1f%n", nodes, secondsSince(wallStart, joinedAt), cluster.loop().now() / 1000.0,
                cluster.loop().executed(), cluster.network().requests(), meanTable);

        List<SimCluster.Measured> calm = cluster.lookupRandomKeys(lookups, 20);
        long calmAt = System.nanoTime();
        System.out.printf("%d nodes, no churn:  %s (%.1f s wall)%n", nodes, LookupStats.of(calm),
                secondsSince(joinedAt, calmAt));

        cluster.killFraction(0.2);
        List<SimCluster.Measured> churn = cluster.lookupRandomKeys(lookups, 20);
        long churnAt = System.nanoTime();
        System.out.printf("%d nodes, 20%% killed: %s (%.1f s wall)%n", nodes, LookupStats.of(churn),
                secondsSince(calmAt, churnAt));
        System.out.printf("%d nodes: total %.1f s wall, digest %s%n", nodes, secondsSince(wallStart, churnAt),
                cluster.digest(churn).substring(0, 16));
    }

    private static double secondsSince(long fromNanos, long toNanos) {
        return (toNanos - fromNanos) / 1e9;
    }
}
