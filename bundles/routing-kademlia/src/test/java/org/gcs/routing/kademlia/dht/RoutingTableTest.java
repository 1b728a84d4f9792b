package org.gcs.routing.kademlia.dht;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import org.gcs.api.NodeId;
import org.gcs.routing.kademlia.dht.RoutingTable.AddResult;
import org.gcs.routing.kademlia.dht.sim.SimCluster;
import org.junit.jupiter.api.Test;

/** The table's rules, with pings answered by the test: each ping is a future the test completes or fails. */
class RoutingTableTest {
    private final SplittableRandom random = new SplittableRandom(7);
    private final Contact self = new Contact(NodeId.of(Key.random(random).toBytes()), SimCluster.address(0, 1));
    private final Map<Contact, CompletableFuture<Void>> pings = new LinkedHashMap<>();
    private final List<Contact> dead = new ArrayList<>();
    private int nextGroup = 1;

    private RoutingTable table(KadConfig config) {
        return new RoutingTable(self, config, c -> pings.computeIfAbsent(c, x -> new CompletableFuture<>()),
                dead::add);
    }

    /** A contact in bucket {@code cpl}, alone in a fresh /24. */
    private Contact inBucket(int cpl) {
        return inBucket(cpl, SimCluster.address(nextGroup++, 1));
    }

    private Contact inBucket(int cpl, InetSocketAddress address) {
        return new Contact(NodeId.of(Key.randomWithPrefix(self.key(), cpl, random).toBytes()), address);
    }

    @Test
    void contactsGoToTheBucketOfTheirCommonPrefixLength() {
        RoutingTable table = table(KadConfig.defaults());
        for (int cpl : new int[] {0, 1, 5, 64, 200, 255}) {
            Contact c = inBucket(cpl);
            assertEquals(AddResult.ADDED, table.add(c));
            assertEquals(cpl, table.bucketIndex(c.key()));
            assertEquals(List.of(c), table.bucketContents(cpl));
        }
        assertEquals(AddResult.REJECTED, table.add(self), "the local node is never stored");
        assertEquals(255, table.deepestNonEmptyBucket());
        assertEquals(6, table.size());
    }

    @Test
    void aFullBucketPingsItsOldestContactAndKeepsItWhenItAnswers() {
        RoutingTable table = table(KadConfig.defaults().withK(4));
        List<Contact> four = List.of(inBucket(0), inBucket(0), inBucket(0), inBucket(0));
        four.forEach(table::add);
        Contact newcomer = inBucket(0);

        assertEquals(AddResult.PENDING, table.add(newcomer));
        assertEquals(List.of(four.get(0)), List.copyOf(pings.keySet()), "only the least recently seen is checked");
        assertEquals(List.of(newcomer), table.replacements(0));

        pings.get(four.get(0)).complete(null);
        assertEquals(List.of(four.get(1), four.get(2), four.get(3), four.get(0)), table.bucketContents(0),
                "the checked contact answered: it stays and is now the most recently seen");
        assertEquals(List.of(newcomer), table.replacements(0), "the newcomer waits in the replacement cache");
        assertTrue(dead.isEmpty());
    }

    @Test
    void aFullBucketEvictsItsOldestContactOnlyWhenThePingFails() {
        RoutingTable table = table(KadConfig.defaults().withK(4));
        List<Contact> four = List.of(inBucket(0), inBucket(0), inBucket(0), inBucket(0));
        four.forEach(table::add);
        Contact newcomer = inBucket(0);
        table.add(newcomer);
        assertTrue(table.contains(four.get(0)), "nothing is evicted before the check ends");

        pings.get(four.get(0)).completeExceptionally(new RpcTimeoutException("test"));
        assertFalse(table.contains(four.get(0)));
        assertEquals(List.of(four.get(1), four.get(2), four.get(3), newcomer), table.bucketContents(0));
        assertEquals(List.of(four.get(0)), dead);
        assertTrue(table.replacements(0).isEmpty());
    }

    @Test
    void aContactHeardFromDuringItsCheckIsKeptEvenIfThePingFails() {
        RoutingTable table = table(KadConfig.defaults().withK(2));
        Contact oldest = inBucket(0);
        table.add(oldest);
        table.add(inBucket(0));
        table.add(inBucket(0));
        table.add(oldest); // it sent us a request meanwhile
        pings.get(oldest).completeExceptionally(new RpcTimeoutException("lost ping"));
        assertTrue(table.contains(oldest));
    }

    @Test
    void oneCheckAtATimePerBucket() {
        RoutingTable table = table(KadConfig.defaults().withK(2));
        table.add(inBucket(0));
        table.add(inBucket(0));
        Contact first = inBucket(0);
        Contact second = inBucket(0);
        assertEquals(AddResult.PENDING, table.add(first));
        assertEquals(AddResult.PENDING, table.add(second));
        assertEquals(1, pings.size());
        assertEquals(List.of(first, second), table.replacements(0));
    }

    @Test
    void repeatedFailuresRemoveAContactAndPromoteTheNewestReplacement() {
        RoutingTable table = table(KadConfig.defaults().withK(2).withMaxFailures(2));
        Contact a = inBucket(0);
        Contact b = inBucket(0);
        table.add(a);
        table.add(b);
        Contact olderNewcomer = inBucket(0);
        Contact newerNewcomer = inBucket(0);
        table.add(olderNewcomer);
        table.add(newerNewcomer);
        pings.get(a).complete(null); // a answered its check: newcomers keep waiting

        table.recordFailure(b);
        assertTrue(table.contains(b), "one failure is not enough");
        table.add(b); // a success resets the count
        table.recordFailure(b);
        assertTrue(table.contains(b));
        table.recordFailure(b);
        assertFalse(table.contains(b));
        assertEquals(List.of(b), dead);
        assertTrue(table.contains(newerNewcomer), "the newest replacement takes the place");
        assertEquals(List.of(olderNewcomer), table.replacements(0));
    }

    @Test
    void failuresOfAKnownIdAtAForgedAddressAreIgnored() {
        RoutingTable table = table(KadConfig.defaults().withMaxFailures(1));
        Contact real = inBucket(3);
        table.add(real);
        table.recordFailure(new Contact(real.id(), SimCluster.address(999, 9)));
        assertTrue(table.contains(real));
    }

    @Test
    void aBucketHoldsAtMostTheLimitOfOneIpGroup() {
        RoutingTable table = table(KadConfig.defaults().withK(4).withMaxPerGroupPerBucket(2));
        int group = 500;
        assertEquals(AddResult.ADDED, table.add(inBucket(0, SimCluster.address(group, 1))));
        assertEquals(AddResult.ADDED, table.add(inBucket(0, SimCluster.address(group, 2))));
        assertEquals(AddResult.REJECTED, table.add(inBucket(0, SimCluster.address(group, 3))));
        assertEquals(AddResult.ADDED, table.add(inBucket(1, SimCluster.address(group, 4))), "the limit is per bucket");
        assertEquals(AddResult.ADDED, table.add(inBucket(0)));
        assertEquals(AddResult.ADDED, table.add(inBucket(0)));
        // the bucket is full now: the replacement cache has the same limit
        table.add(inBucket(0, SimCluster.address(group + 1, 1)));
        table.add(inBucket(0, SimCluster.address(group + 1, 2)));
        assertEquals(AddResult.REJECTED, table.add(inBucket(0, SimCluster.address(group + 1, 3))));
        assertEquals(2, table.replacements(0).size());

        RoutingTable unlimited = table(KadConfig.defaults().withMaxPerGroupPerBucket(0));
        for (int host = 1; host <= 10; host++) {
            assertEquals(AddResult.ADDED, unlimited.add(inBucket(0, SimCluster.address(group, host))));
        }
    }

    @Test
    void aPromotionRespectsTheGroupLimit() {
        RoutingTable table = table(KadConfig.defaults().withK(3).withMaxPerGroupPerBucket(2).withMaxFailures(1));
        int group = 600;
        Contact x = inBucket(0, SimCluster.address(group, 1));
        Contact o1 = inBucket(0);
        Contact o2 = inBucket(0);
        table.add(x);
        table.add(o1);
        table.add(o2);
        Contact z = inBucket(0, SimCluster.address(group, 2));
        Contact w = inBucket(0, SimCluster.address(group, 3));
        assertEquals(AddResult.PENDING, table.add(z));
        assertEquals(AddResult.PENDING, table.add(w));
        pings.get(x).complete(null);

        table.recordFailure(o1);
        assertTrue(table.contains(w), "the newest replacement fits: the bucket held one of its group");
        table.recordFailure(o2);
        assertFalse(table.contains(z), "a third contact of the group would break the limit");
        assertEquals(List.of(z), table.replacements(0));
        assertEquals(2, table.size());
    }

    @Test
    void closestMatchesABruteForceSort() {
        RoutingTable table = table(KadConfig.defaults());
        for (int i = 0; i < 400; i++) {
            table.add(new Contact(NodeId.of(Key.random(random).toBytes()), SimCluster.address(nextGroup++, 1)));
        }
        for (int cpl = 0; cpl < 12; cpl++) {
            for (int i = 0; i < 10; i++) {
                table.add(inBucket(cpl));
            }
        }
        List<Contact> all = table.contacts();
        for (int i = 0; i < 200; i++) {
            Key target = i % 2 == 0 ? Key.random(random) : Key.randomWithPrefix(self.key(), i % 14, random);
            List<Contact> expected = new ArrayList<>(all);
            expected.sort((a, b) -> target.compareDistance(a.key(), b.key()));
            assertEquals(expected.subList(0, 20), table.closest(target, 20, null));
        }
        List<Contact> ofSelf = table.closest(self.key(), 5, null);
        Contact excluded = ofSelf.get(0);
        assertFalse(table.closest(self.key(), 5, excluded.id()).contains(excluded));
    }

    @Test
    void bucketsWithoutARecentLookupNeedARefresh() {
        RoutingTable table = table(KadConfig.defaults());
        table.add(inBucket(0));
        table.add(inBucket(3));
        assertEquals(List.of(0, 1, 2, 3), table.bucketsToRefresh(0, 1000));
        table.markLookup(Key.randomWithPrefix(self.key(), 2, random), 500);
        assertEquals(List.of(0, 1, 3), table.bucketsToRefresh(1000, 1000));
        assertEquals(List.of(0, 1, 2, 3), table.bucketsToRefresh(1500, 1000));
    }
}
