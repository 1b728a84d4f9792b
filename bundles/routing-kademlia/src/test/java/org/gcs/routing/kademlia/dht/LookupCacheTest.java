package org.gcs.routing.kademlia.dht;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.SplittableRandom;
import org.gcs.api.NodeId;
import org.gcs.routing.kademlia.dht.sim.SimCluster;
import org.junit.jupiter.api.Test;

class LookupCacheTest {
    private final SplittableRandom random = new SplittableRandom(11);
    private final KadConfig config = KadConfig.defaults().withCacheTtlBoundsMillis(10_000, 600_000)
            .withCacheChurnFactor(0.02).withCacheMaxEntries(3).withChurnWindowMillis(600_000);

    private List<Contact> handlers() {
        return List.of(new Contact(NodeId.of(Key.random(random).toBytes()), SimCluster.address(1, 1)));
    }

    @Test
    void entriesLiveForTheirTtl() {
        LookupCache cache = new LookupCache(config);
        Key key = Key.random(random);
        List<Contact> handlers = handlers();
        cache.put(key, handlers, 1_000, 5_000);
        assertEquals(handlers, cache.get(key, 5_999));
        assertNull(cache.get(key, 6_000));
        assertNull(cache.get(Key.random(random), 1_000));

        cache.put(key, handlers, 7_000, 5_000);
        cache.invalidate(key);
        assertNull(cache.get(key, 7_001));
    }

    @Test
    void aNewcomerCloserThanTheFarthestCachedContactDropsTheEntry() {
        LookupCache cache = new LookupCache(config);
        Key key = Key.random(random);
        List<Contact> three = new java.util.ArrayList<>();
        for (int i = 0; i < 3; i++) {
            three.add(new Contact(NodeId.of(Key.random(random).toBytes()), SimCluster.address(2, i)));
        }
        three.sort((x, y) -> key.compareDistance(x.key(), y.key()));
        Contact farther = contactFartherThan(key, three.get(2));
        Contact closer = contactCloserThan(key, three.get(2));

        cache.put(key, three, 0, 60_000);
        assertEquals(0, cache.invalidateWhereCloser(three.get(1), 3), "a member already cached changes nothing");
        assertEquals(0, cache.invalidateWhereCloser(farther, 3), "a full set closer than the newcomer stays");
        assertEquals(three, cache.get(key, 1));
        assertEquals(1, cache.invalidateWhereCloser(closer, 3));
        assertNull(cache.get(key, 1));

        cache.put(key, three, 0, 60_000);
        assertEquals(1, cache.invalidateWhereCloser(farther, 4), "a set short of k takes anyone");
        assertNull(cache.get(key, 1));
    }

    private Contact contactCloserThan(Key key, Contact than) {
        while (true) {
            Contact c = new Contact(NodeId.of(Key.random(random).toBytes()), SimCluster.address(3, 1));
            if (key.compareDistance(c.key(), than.key()) < 0) {
                return c;
            }
        }
    }

    private Contact contactFartherThan(Key key, Contact than) {
        while (true) {
            Contact c = new Contact(NodeId.of(Key.random(random).toBytes()), SimCluster.address(3, 2));
            if (key.compareDistance(c.key(), than.key()) > 0) {
                return c;
            }
        }
    }

    @Test
    void ttlIsTheChurnFactorOverTheDeathRateWithinBounds() {
        LookupCache cache = new LookupCache(config);
        assertEquals(600_000, cache.ttlMillis(0), "no churn observed: the longest TTL");
        assertEquals(72_000, cache.ttlMillis(1.0 / 3600), "contacts living 1 h on average: 0.02 * 3600 s");
        assertEquals(10_000, cache.ttlMillis(1.0), "heavy churn: the shortest TTL");
        assertEquals(600_000, cache.ttlMillis(1e-9));
    }

    @Test
    void ttlAdaptsToTheMeasuredDeaths() {
        LookupCache cache = new LookupCache(config);
        ChurnMeter churn = new ChurnMeter(config.churnWindowMillis());
        int contacts = 100;
        churn.deathRatePerContactPerSecond(0, contacts);
        assertEquals(600_000, cache.ttlMillis(churn.deathRatePerContactPerSecond(0, contacts)));

        // one death a minute among 100 contacts for an hour: about 1/6000 per contact per second
        for (long t = 60_000; t <= 3_600_000; t += 60_000) {
            churn.contactDied(t);
        }
        double rate = churn.deathRatePerContactPerSecond(3_600_000, contacts);
        assertEquals(1.0 / 6000, rate, 0.1 / 6000, "the decayed count estimates the rate");
        long busy = cache.ttlMillis(rate);
        assertTrue(busy > 100_000 && busy < 140_000, "TTL about 0.02 * 6000 s = 120 s: " + busy);

        // the deaths stop: the estimate decays and the TTL grows back to the maximum
        long calm = cache.ttlMillis(churn.deathRatePerContactPerSecond(3_600_000 + 3 * 600_000, contacts));
        assertTrue(calm > 2 * busy, "after three windows without deaths: " + calm);
        assertEquals(600_000, cache.ttlMillis(churn.deathRatePerContactPerSecond(3_600_000 + 10 * 600_000, contacts)));
    }

    @Test
    void theCacheIsBoundedAndDropsTheLeastRecentlyUsed() {
        LookupCache cache = new LookupCache(config);
        Key a = Key.random(random);
        Key b = Key.random(random);
        Key c = Key.random(random);
        Key d = Key.random(random);
        cache.put(a, handlers(), 0, 1_000);
        cache.put(b, handlers(), 0, 1_000);
        cache.put(c, handlers(), 0, 1_000);
        cache.get(a, 1); // a is used again: b is now the least recently used
        cache.put(d, handlers(), 1, 1_000);
        assertEquals(3, cache.size());
        assertNull(cache.get(b, 2));
        assertTrue(cache.get(a, 2) != null && cache.get(c, 2) != null && cache.get(d, 2) != null);

        LookupCache off = new LookupCache(config.withCacheMaxEntries(0));
        off.put(a, handlers(), 0, 1_000);
        assertNull(off.get(a, 1));
    }
}
