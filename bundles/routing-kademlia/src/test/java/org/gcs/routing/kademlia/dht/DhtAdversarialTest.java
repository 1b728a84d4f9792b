package org.gcs.routing.kademlia.dht;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.gcs.api.NodeId;
import org.gcs.api.UserId;
import org.gcs.routing.kademlia.dht.sim.LookupStats;
import org.gcs.routing.kademlia.dht.sim.SimCluster;
import org.gcs.routing.kademlia.dht.sim.SimNode;
import org.junit.jupiter.api.Test;

/** Attacks run in the simulator against the real DHT code: a Sybil /24, lying responders, a flooding node. */
class DhtAdversarialTest {
    private static final int HANDLERS = 3;

    /** 250 honest nodes, then 50 Sybils in one /24 whose ids were ground to sit right next to one user's key. */
    private static List<SimNode> sybilAttack(SimCluster cluster, Key victim) {
        cluster.grow(250, 10);
        int group = cluster.newGroup();
        SplittableRandom grinder = new SplittableRandom(99);
        List<SimNode> sybils = new ArrayList<>();
        for (int i = 1; i <= 50; i++) {
            NodeId id = NodeId.of(Key.randomWithPrefix(victim, 24 + i, grinder).toBytes());
            sybils.add(cluster.newNode(id, SimCluster.address(group, i)));
        }
        cluster.runSpaced(sybils.size(), 10, 120_000, i -> cluster.join(sybils.get(i)));
        return sybils;
    }

    private static Set<Contact> contacts(List<SimNode> nodes) {
        Set<Contact> out = new HashSet<>();
        nodes.forEach(n -> out.add(n.contact()));
        return out;
    }

    private static long countIn(List<Contact> list, Set<Contact> set) {
        return list.stream().filter(set::contains).count();
    }

    @Test
    void fiftyNodesOfOneSlash24TakeNoMoreThanTheLimitOfAnyBucketOrResult() {
        SimCluster cluster = new SimCluster(31, KadConfig.defaults());
        Key victim = Key.ofUser(UserId.parse("pk:victim"));
        Set<Contact> sybils = contacts(sybilAttack(cluster, victim));
        List<SimNode> honest = cluster.alive().stream().filter(n -> !sybils.contains(n.contact())).toList();

        int limit = cluster.config().maxPerGroupPerBucket();
        for (SimNode n : honest) {
            for (int i = 0; i < Key.BITS; i++) {
                assertTrue(countIn(n.dht().table().bucketContents(i), sybils) <= limit, "bucket " + i + " of " + n);
                assertTrue(countIn(n.dht().table().replacements(i), sybils) <= limit, "replacements " + i);
            }
        }

        List<List<Contact>> handlers = cluster.runSpaced(100, 10, 60_000,
                i -> honest.get(cluster.random().nextInt(honest.size())).dht().closestNodes(victim, HANDLERS));
        List<LookupResult> lookups = cluster.runSpaced(100, 10, 60_000,
                i -> honest.get(cluster.random().nextInt(honest.size())).dht()
                        .lookup(i % 2 == 0 ? victim : cluster.randomKey()));
        List<Contact> honestByDistance = new ArrayList<>();
        honest.forEach(n -> honestByDistance.add(n.contact()));
        honestByDistance.sort((x, y) -> victim.compareDistance(x.key(), y.key()));
        int right = 0;
        for (List<Contact> h : handlers) {
            assertEquals(HANDLERS, h.size());
            long taken = countIn(h, sybils);
            assertTrue(taken <= cluster.config().maxPerGroupPerResult(), "handlers " + h);
            List<Contact> honestHandlers = h.stream().filter(c -> !sybils.contains(c)).toList();
            if (honestHandlers.equals(honestByDistance.subList(0, HANDLERS - (int) taken))) {
                right++;
            }
        }
        for (LookupResult r : lookups) {
            assertTrue(countIn(r.closest(), sybils) <= cluster.config().maxPerGroupPerResult(), "result " + r);
        }
        System.out.printf("Sybil /24: the closest honest nodes are the other handlers in %d / 100 asks%n", right);
        assertTrue(right >= 95, "right handlers: " + right);
    }

    @Test
    void withoutTheLimitsTheSameSybilsWouldTakeEveryHandler() {
        SimCluster cluster = new SimCluster(31,
                KadConfig.defaults().withMaxPerGroupPerBucket(0).withMaxPerGroupPerResult(0));
        Key victim = Key.ofUser(UserId.parse("pk:victim"));
        Set<Contact> sybils = contacts(sybilAttack(cluster, victim));
        List<List<Contact>> handlers = cluster.runSpaced(20, 10, 60_000,
                i -> cluster.randomAlive().dht().closestNodes(victim, HANDLERS));
        assertTrue(handlers.stream().allMatch(h -> countIn(h, sybils) == HANDLERS),
                "the attack this limit stops must work without it, else the test above proves nothing");
    }

    private static InetSocketAddress unreachable(int a, int b) {
        try {
            return new InetSocketAddress(InetAddress.getByAddress(new byte[] {(byte) 192, 0, (byte) a, (byte) b}),
                    SimCluster.PORT);
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Answers every find-node with 10 invented ids right next to the target and 10 real ids at forged addresses. */
    private static void makeLiar(SimNode liar, SplittableRandom random) {
        liar.setInbound(new SimNode.Inbound() {
            @Override
            public List<Contact> findNode(Contact sender, Key target) {
                List<Contact> lies = new ArrayList<>();
                for (int i = 0; i < 10; i++) {
                    NodeId fake = NodeId.of(Key.randomWithPrefix(target, 40 + i, random).toBytes());
                    lies.add(new Contact(fake, unreachable(2, random.nextInt(1, 255))));
                }
                for (Contact real : liar.dht().table().closest(target, 10, sender.id())) {
                    lies.add(new Contact(real.id(), unreachable(3, random.nextInt(1, 255))));
                }
                return lies;
            }

            @Override
            public void ping(Contact sender) {
                liar.dht().onPing(sender); // stays in everyone's table
            }
        });
    }

    @Test
    void respondersLyingWithBogusCloserContactsDoNotMakeLookupsFail() {
        SimCluster cluster = new SimCluster(41, KadConfig.defaults());
        cluster.grow(300, 10);
        SplittableRandom random = new SplittableRandom(42);
        List<SimNode> alive = cluster.alive();
        Set<Contact> real = contacts(alive);
        for (int i = 0; i < 30; i++) { // 10 % of the nodes lie
            makeLiar(alive.get(random.nextInt(alive.size())), random);
        }

        List<SimCluster.Measured> runs = cluster.lookupRandomKeys(300, 20);
        LookupStats stats = LookupStats.of(runs);
        System.out.println("300 nodes, 10 % liars: " + stats);
        assertTrue(stats.successRate() >= 0.99, stats.toString());
        for (SimCluster.Measured m : runs) {
            assertTrue(real.containsAll(m.result().closest()), "a bogus contact reached a result");
            assertEquals(LookupResult.Outcome.CONVERGED, m.result().outcome());
        }
        assertTrue(stats.millisP99() < cluster.config().lookupTimeoutMillis() / 2, stats.toString());

        List<Boolean> handlers = cluster.runSpaced(100, 10, 60_000, i -> {
            Key key = Key.ofUser(UserId.of("pk", "liar" + i));
            return cluster.randomAlive().dht().closestNodes(key, HANDLERS)
                    .thenApply(h -> h.equals(cluster.trueClosest(key, HANDLERS)));
        });
        long right = handlers.stream().filter(Boolean.TRUE::equals).count();
        assertTrue(right >= 98, "right handlers despite liars: " + right);
    }

    @Test
    void aFloodingNodeIsRefusedPastItsBudgetWhileOthersAreServed() {
        KadConfig config = KadConfig.defaults().withRateLimit(50, 10);
        SimCluster cluster = new SimCluster(51, config);
        cluster.grow(100, 10);
        List<SimNode> nodes = cluster.alive();
        SimNode victim = nodes.get(0);
        SimNode attacker = nodes.get(1);
        SimNode bystander = nodes.get(2);
        KadRpc flood = cluster.network().rpcFor(attacker.contact());
        KadRpc polite = cluster.network().rpcFor(bystander.contact());

        List<CompletableFuture<List<Contact>>> burst = new ArrayList<>();
        for (int i = 0; i < 500; i++) {
            burst.add(flood.findNode(victim.contact(), cluster.randomKey()));
        }
        CompletableFuture<List<Contact>> meanwhile = polite.findNode(victim.contact(), cluster.randomKey());
        cluster.await(CompletableFuture.allOf(burst.toArray(CompletableFuture[]::new)).handle((v, e) -> null), 10_000);
        assertEquals(50, countAnswered(burst), "the burst allowance");
        assertEquals(20, meanwhile.join().size(), "another node's query is answered");

        List<SimCluster.Measured> lookups = cluster.lookupRandomKeys(50, 20);
        assertTrue(LookupStats.of(lookups).successRate() >= 0.98, "other nodes' lookups go on");

        cluster.loop().runFor(10_000); // 10 s at 10 queries/s refills the burst of 50, no more
        List<CompletableFuture<List<Contact>>> later = new ArrayList<>();
        for (int i = 0; i < 60; i++) {
            later.add(flood.findNode(victim.contact(), cluster.randomKey()));
        }
        cluster.await(CompletableFuture.allOf(later.toArray(CompletableFuture[]::new)).handle((v, e) -> null), 10_000);
        assertEquals(50, countAnswered(later));
    }

    private static int countAnswered(List<CompletableFuture<List<Contact>>> requests) {
        int answered = 0;
        for (CompletableFuture<List<Contact>> f : requests) {
            assertTrue(f.isDone());
            try {
                f.join();
                answered++;
            } catch (CompletionException e) {
                assertInstanceOf(RateLimitedException.class, e.getCause());
            }
        }
        assertFalse(requests.isEmpty());
        return answered;
    }
}
