package org.gcs.routing.kademlia.dht;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.gcs.api.NodeId;
import org.gcs.api.TransportException;
import org.gcs.routing.kademlia.dht.sim.SimCluster;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The same DHT code on real threads, as the node will run it: inbound requests served on a pool (the I/O threads),
 * timers on {@link ExecutorScheduler}. Not deterministic (the simulator is); it checks that concurrent use neither
 * deadlocks nor corrupts state, and that the real scheduler's timeouts free lookups from a node that never answers.
 */
class ThreadedNetworkTest {
    private final ScheduledExecutorService timers = Executors.newScheduledThreadPool(2);
    private final ExecutorService io = Executors.newFixedThreadPool(4);
    private final Map<NodeId, Kademlia> nodes = new ConcurrentHashMap<>();
    private final KadConfig config = KadConfig.defaults().withRpcTimeoutMillis(400).withSlowQueryMillis(100);

    @AfterEach
    void shutDown() {
        timers.shutdownNow();
        io.shutdownNow();
    }

    private KadRpc rpcFor(Contact from) {
        return new KadRpc() {
            @Override
            public CompletableFuture<List<Contact>> findNode(Contact to, Key target) {
                Kademlia node = nodes.get(to.id());
                if (node == null) {
                    return new CompletableFuture<>(); // a black hole: never answers
                }
                return CompletableFuture.supplyAsync(() -> node.onFindNode(from, target), io);
            }

            @Override
            public CompletableFuture<Void> ping(Contact to) {
                Kademlia node = nodes.get(to.id());
                if (node == null) {
                    return CompletableFuture.failedFuture(new TransportException("no link"));
                }
                return CompletableFuture.runAsync(() -> node.onPing(from), io);
            }
        };
    }

    @Test
    void concurrentJoinsAndLookupsOnRealThreads() throws Exception {
        SplittableRandom random = new SplittableRandom(3);
        List<Contact> contacts = new ArrayList<>();
        for (int i = 0; i < 60; i++) {
            Contact c = new Contact(NodeId.of(Key.random(random).toBytes()), SimCluster.address(i, 1));
            contacts.add(c);
            nodes.put(c.id(), new Kademlia(c, config, rpcFor(c), new ExecutorScheduler(timers),
                    new SplittableRandom(i)));
        }
        Contact blackHole = new Contact(NodeId.of(Key.random(random).toBytes()), SimCluster.address(999, 1));
        Contact first = contacts.get(0);
        nodes.get(first.id()).bootstrap(List.of()).get(5, TimeUnit.SECONDS);

        List<CompletableFuture<Void>> joins = new ArrayList<>();
        for (Contact c : contacts.subList(1, contacts.size())) {
            joins.add(CompletableFuture.supplyAsync(() -> nodes.get(c.id()).bootstrap(List.of(first, blackHole)), io)
                    .thenCompose(f -> f));
        }
        CompletableFuture.allOf(joins.toArray(CompletableFuture[]::new)).get(20, TimeUnit.SECONDS);

        List<CompletableFuture<Boolean>> lookups = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            Contact from = contacts.get(random.nextInt(contacts.size()));
            Key key = Key.random(random);
            Contact truth = contacts.stream().min((a, b) -> key.compareDistance(a.key(), b.key())).orElseThrow();
            lookups.add(CompletableFuture.supplyAsync(() -> nodes.get(from.id()).lookup(key), io)
                    .thenCompose(f -> f)
                    .thenApply(r -> {
                        assertFalse(r.closest().contains(blackHole));
                        Contact best = r.closest().isEmpty() || key.compareDistance(from.key(),
                                r.closest().get(0).key()) < 0 ? from : r.closest().get(0);
                        return best.equals(truth) && r.outcome() == LookupResult.Outcome.CONVERGED;
                    }));
        }
        int found = 0;
        for (CompletableFuture<Boolean> f : lookups) {
            if (f.get(20, TimeUnit.SECONDS)) {
                found++;
            }
        }
        assertEquals(200, found);
        for (Kademlia n : nodes.values()) {
            assertTrue(n.table().size() > 0);
            assertFalse(n.table().contacts().contains(blackHole));
            n.stop();
        }
    }
}
