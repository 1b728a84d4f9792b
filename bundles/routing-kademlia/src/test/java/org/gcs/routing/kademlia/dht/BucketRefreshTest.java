package org.gcs.routing.kademlia.dht;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.gcs.routing.kademlia.dht.sim.SimCluster;
import org.gcs.routing.kademlia.dht.sim.SimNode;
import org.junit.jupiter.api.Test;

/** The periodic bucket refresh, on the simulator: it keeps every bucket looked up and heals tables after departures. */
class BucketRefreshTest {
    private static double deadFraction(SimCluster cluster, Set<Contact> dead) {
        long all = 0;
        long stale = 0;
        for (SimNode n : cluster.alive()) {
            for (Contact c : n.dht().table().contacts()) {
                all++;
                if (dead.contains(c)) {
                    stale++;
                }
            }
        }
        return (double) stale / all;
    }

    @Test
    void refreshLooksUpIdleBucketsAndEvictsDepartedNodes() {
        SimCluster cluster = new SimCluster(71, KadConfig.defaults());
        cluster.grow(200, 10);
        Set<Contact> dead = new HashSet<>();
        cluster.killFraction(0.2).forEach(n -> dead.add(n.contact()));
        double before = deadFraction(cluster, dead);
        long requests = cluster.network().requests();

        long interval = cluster.config().refreshIntervalMillis();
        cluster.loop().runFor(2 * interval + interval / 4);
        double after = deadFraction(cluster, dead);
        System.out.printf("dead contacts in live tables: %.1f %% after the departures, %.1f %% after two refresh"
                + " intervals (%d requests)%n", 100 * before, 100 * after, cluster.network().requests() - requests);

        assertTrue(before > 0.15, "the departures left dead contacts: " + before);
        assertTrue(after < before / 3, "refresh lookups evicted most of them (measured 20.4 % -> 4.6 %): " + after);
        long now = cluster.loop().now();
        for (SimNode n : cluster.alive()) {
            List<Integer> idle = n.dht().table().bucketsToRefresh(now, interval);
            assertTrue(idle.isEmpty(), n + " has buckets without a lookup for an interval: " + idle);
        }
    }
}
