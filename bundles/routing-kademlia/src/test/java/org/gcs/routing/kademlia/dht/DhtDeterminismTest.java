package org.gcs.routing.kademlia.dht;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.util.ArrayList;
import java.util.List;
import org.gcs.routing.kademlia.dht.sim.SimCluster;
import org.junit.jupiter.api.Test;

/** The simulator has no threads and no wall clock: the same seed must give the same run, to the last event. */
class DhtDeterminismTest {
    private static String scenario(long seed) {
        SimCluster cluster = new SimCluster(seed, KadConfig.defaults());
        cluster.grow(200, 10);
        List<SimCluster.Measured> runs = new ArrayList<>(cluster.lookupRandomKeys(100, 20));
        cluster.killFraction(0.2);
        runs.addAll(cluster.lookupRandomKeys(100, 20));
        cluster.loop().runFor(cluster.config().refreshIntervalMillis()); // one round of periodic refresh
        runs.addAll(cluster.lookupRandomKeys(100, 20));
        return cluster.digest(runs);
    }

    @Test
    void theSameSeedGivesTheSameRunAndAnotherSeedAnother() {
        String first = scenario(5);
        assertEquals(first, scenario(5));
        assertNotEquals(first, scenario(6));
    }
}
