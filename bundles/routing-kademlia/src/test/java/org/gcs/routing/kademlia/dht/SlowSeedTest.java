package org.gcs.routing.kademlia.dht;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.gcs.routing.kademlia.dht.sim.SimCluster;
import org.gcs.routing.kademlia.dht.sim.SimNode;
import org.junit.jupiter.api.Test;

/**
 * Seeds that answer after the slow-query threshold (as a loaded machine does) still let a node join: a lookup with no
 * answer yet waits for its slow queries instead of converging on nothing. Every round trip in the simulator takes at
 * least 10 ms, so a 2 ms threshold makes every query slow.
 */
class SlowSeedTest {
    @Test
    void nodesJoinThroughSeedsSlowerThanTheSlowThreshold() {
        SimCluster cluster = new SimCluster(11, KadConfig.defaults().withSlowQueryMillis(2));
        SimNode first = cluster.newNode();
        cluster.await(cluster.join(first), 10_000);
        List<SimNode> joined = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            SimNode n = cluster.newNode();
            CompletableFuture<Void> join = cluster.join(n);
            cluster.loop().runUntil(join::isDone, cluster.loop().now() + 60_000);
            assertTrue(join.isDone(), "join " + i + " did not end");
            assertFalse(join.isCompletedExceptionally(), "join " + i + " failed: " + join);
            joined.add(n);
        }
        for (SimNode n : joined) {
            assertTrue(n.dht().table().size() > 0);
        }
        LookupResult r = cluster.await(joined.get(0).dht().lookup(cluster.randomKey()), 60_000);
        assertFalse(r.closest().isEmpty());
        assertEquals(LookupResult.Outcome.CONVERGED, r.outcome());
    }

    @Test
    void aLookupWhoseOnlySeedIsDeadStillEndsEmptyAtTheRpcTimeout() {
        SimCluster cluster = new SimCluster(12, KadConfig.defaults());
        SimNode a = cluster.newNode();
        SimNode dead = cluster.newNode();
        cluster.await(cluster.join(dead), 10_000);
        dead.kill();
        long start = cluster.loop().now();
        CompletableFuture<Void> join = a.dht().bootstrap(List.of(dead.contact()));
        cluster.loop().runUntil(join::isDone, start + 60_000);
        assertTrue(join.isCompletedExceptionally(), "joining through a dead seed must fail");
        long took = cluster.loop().now() - start;
        assertTrue(took >= cluster.config().rpcTimeoutMillis() && took < 2 * cluster.config().rpcTimeoutMillis(),
                "took " + took + " ms");
    }
}
