package org.gcs.routing.kademlia.dht;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import java.util.function.Function;
import org.gcs.api.NodeId;

/**
 * The k-buckets of one node: bucket i holds contacts whose key shares exactly i leading bits with the local key.
 *
 * <p>Rules: a contact enters only after it proved alive (it sent us a request or answered one: {@link #add}). A full
 * bucket keeps newcomers in a replacement cache and pings its least recently seen contact; that contact is evicted (and
 * the newest fitting replacement promoted) only if the ping fails, otherwise it becomes the most recently seen and the
 * newcomer waits. A contact failing {@link KadConfig#maxFailures()} RPCs in a row is removed and replaced from the
 * cache. A bucket holds at most {@link KadConfig#maxPerGroupPerBucket()} contacts of one IP group, and so does its
 * replacement cache. Failures reported for a known id at another address are ignored (a forged referral cannot evict
 * the real node).
 *
 * <p>Thread-safe: one lock guards all state; it is never held while calling out (pings are sent, and the removal
 * listener called, after it is released), so ping futures may complete on any thread, even synchronously.
 */
public final class RoutingTable {
    /** What {@link #add} did with a contact. */
    public enum AddResult {
        /** Put into a bucket with room. */
        ADDED,
        /** Already there: now the most recently seen (its address updated if it moved and the group limit allows). */
        UPDATED,
        /** The bucket is full: the contact waits in the replacement cache while the oldest contact is checked. */
        PENDING,
        /** Refused: the local node itself, or its IP group is at the bucket's limit. */
        REJECTED
    }

    private static final int BUCKETS = Key.BITS;

    private final Key self;
    private final NodeId selfId;
    private final int k;
    private final int maxPerGroup;
    private final int maxFailures;
    private final Function<Contact, CompletableFuture<Void>> livenessCheck;
    private final Consumer<Contact> deadListener;
    private final Bucket[] buckets = new Bucket[BUCKETS];
    private final long[] lastLookupMillis = new long[BUCKETS];
    private long seq;
    private int size;

    /**
     * @param self the local node (never stored)
     * @param livenessCheck pings a contact; a failed future means it is dead (it must time out by itself)
     * @param deadListener told of every contact removed as dead (for churn estimates); called without the lock held
     */
    public RoutingTable(Contact self, KadConfig config, Function<Contact, CompletableFuture<Void>> livenessCheck,
            Consumer<Contact> deadListener) {
        this.self = self.key();
        this.selfId = self.id();
        this.k = config.k();
        this.maxPerGroup = config.maxPerGroupPerBucket();
        this.maxFailures = config.maxFailures();
        this.livenessCheck = Objects.requireNonNull(livenessCheck, "livenessCheck");
        this.deadListener = Objects.requireNonNull(deadListener, "deadListener");
        java.util.Arrays.fill(lastLookupMillis, Long.MIN_VALUE / 2);
    }

    /** The bucket a key falls in: its common prefix length with the local key (255 for the local key itself). */
    public int bucketIndex(Key key) {
        return Math.min(self.commonPrefixLength(key), BUCKETS - 1);
    }

    /** Records that {@code contact} proved alive (it sent a request or answered one) and applies the rules above. */
    public AddResult add(Contact contact) {
        if (contact.id().equals(selfId)) {
            return AddResult.REJECTED;
        }
        Contact toPing;
        synchronized (this) {
            Bucket b = bucket(bucketIndex(contact.key()), true);
            Bucket.Entry known = b.live.get(contact.key());
            if (known != null) {
                if (!known.contact.equals(contact)) {
                    if (!groupAllows(b.liveInGroup(contact.group(), contact.key()))) {
                        return AddResult.REJECTED;
                    }
                    known.contact = contact;
                }
                b.touch(known, ++seq);
                return AddResult.UPDATED;
            }
            if (!groupAllows(b.liveInGroup(contact.group(), null))) {
                return AddResult.REJECTED;
            }
            if (b.live.size() < k) {
                b.replacements.remove(contact.key());
                b.live.put(contact.key(), new Bucket.Entry(contact, ++seq));
                size++;
                return AddResult.ADDED;
            }
            if (!b.replacements.containsKey(contact.key()) && !groupAllows(b.replacementsInGroup(contact.group()))) {
                return AddResult.REJECTED;
            }
            b.addReplacement(contact, k);
            if (b.checking != null) {
                return AddResult.PENDING;
            }
            toPing = b.leastRecentlySeen().contact;
            b.checking = toPing;
            b.checkStartedSeq = seq;
        }
        CompletableFuture<Void> ping;
        try {
            ping = livenessCheck.apply(toPing);
        } catch (RuntimeException e) {
            ping = CompletableFuture.failedFuture(e);
        }
        ping.whenComplete((ok, error) -> checkDone(toPing, error == null));
        return AddResult.PENDING;
    }

    private void checkDone(Contact checked, boolean alive) {
        Contact dead = null;
        synchronized (this) {
            Bucket b = bucket(bucketIndex(checked.key()), true);
            if (checked.equals(b.checking)) {
                b.checking = null;
            }
            Bucket.Entry e = b.live.get(checked.key());
            if (e == null || !e.contact.equals(checked)) {
                return;
            }
            if (alive) {
                b.touch(e, ++seq);
            } else if (e.seenSeq <= b.checkStartedSeq) {
                dead = removeAndPromote(b, e);
            }
        }
        if (dead != null) {
            deadListener.accept(dead);
        }
    }

    /**
     * Records that an RPC to {@code contact} failed; after {@link KadConfig#maxFailures()} in a row it is removed and
     * replaced from the replacement cache. Unknown contacts (or a known id at another address) are ignored.
     */
    public void recordFailure(Contact contact) {
        Contact dead = null;
        synchronized (this) {
            Bucket b = bucket(bucketIndex(contact.key()), false);
            if (b == null) {
                return;
            }
            Bucket.Entry e = b.live.get(contact.key());
            if (e == null || !e.contact.equals(contact)) {
                b.replacements.remove(contact.key(), contact);
                return;
            }
            if (++e.failures >= maxFailures) {
                dead = removeAndPromote(b, e);
            }
        }
        if (dead != null) {
            deadListener.accept(dead);
        }
    }

    private Contact removeAndPromote(Bucket b, Bucket.Entry e) {
        b.live.remove(e.contact.key());
        size--;
        if (b.promote(maxPerGroup, ++seq) != null) {
            size++;
        }
        return e.contact;
    }

    private boolean groupAllows(int alreadyInGroup) {
        return maxPerGroup == 0 || alreadyInGroup < maxPerGroup;
    }

    private Bucket bucket(int index, boolean create) {
        Bucket b = buckets[index];
        if (b == null && create) {
            b = new Bucket();
            buckets[index] = b;
        }
        return b;
    }

    /**
     * The {@code n} live contacts closest to {@code target}, nearest first, without {@code exclude} (may be null).
     * Visits buckets in distance order (the target's own bucket, then all deeper ones, then shallower ones from the
     * deepest) so it sorts only what it returns.
     */
    public synchronized List<Contact> closest(Key target, int n, NodeId exclude) {
        List<Contact> out = new ArrayList<>(Math.min(n, size));
        if (n <= 0) {
            return out;
        }
        Comparator<Contact> byDistance = (a, b) -> target.compareDistance(a.key(), b.key());
        int j = self.commonPrefixLength(target);
        List<Contact> group = new ArrayList<>(size + 1);
        if (j < BUCKETS) {
            collect(j, exclude, group);
            appendSorted(group, byDistance, out, n);
            group.clear();
            for (int i = j + 1; i < BUCKETS && out.size() < n; i++) {
                collect(i, exclude, group);
            }
            appendSorted(group, byDistance, out, n);
        }
        for (int i = Math.min(j, BUCKETS) - 1; i >= 0 && out.size() < n; i--) {
            group.clear();
            collect(i, exclude, group);
            appendSorted(group, byDistance, out, n);
        }
        return out;
    }

    private void collect(int index, NodeId exclude, List<Contact> into) {
        Bucket b = buckets[index];
        if (b != null) {
            for (Bucket.Entry e : b.live.values()) {
                if (exclude == null || !e.contact.id().equals(exclude)) {
                    into.add(e.contact);
                }
            }
        }
    }

    private static void appendSorted(List<Contact> group, Comparator<Contact> order, List<Contact> out, int n) {
        group.sort(order);
        for (int i = 0; i < group.size() && out.size() < n; i++) {
            out.add(group.get(i));
        }
    }

    /** Records that a lookup of {@code target} ran now, so its bucket needs no refresh for a while. */
    public synchronized void markLookup(Key target, long nowMillis) {
        lastLookupMillis[bucketIndex(target)] = nowMillis;
    }

    /**
     * The buckets to refresh: those from 0 up to the deepest non-empty one without a lookup in the last
     * {@code intervalMillis}. Deeper buckets are covered by the lookup of the local key.
     */
    public synchronized List<Integer> bucketsToRefresh(long nowMillis, long intervalMillis) {
        List<Integer> out = new ArrayList<>();
        for (int i = 0; i <= deepestNonEmptyBucket(); i++) {
            if (nowMillis - lastLookupMillis[i] >= intervalMillis) {
                out.add(i);
            }
        }
        return out;
    }

    /** The highest index of a bucket holding a contact, or -1 when the table is empty. */
    public synchronized int deepestNonEmptyBucket() {
        for (int i = BUCKETS - 1; i >= 0; i--) {
            if (buckets[i] != null && !buckets[i].live.isEmpty()) {
                return i;
            }
        }
        return -1;
    }

    /** The live contacts of bucket {@code index}, least recently seen first. */
    public synchronized List<Contact> bucketContents(int index) {
        Bucket b = buckets[index];
        return b == null ? List.of() : b.liveContacts();
    }

    /** The replacement cache of bucket {@code index}, oldest first. */
    public synchronized List<Contact> replacements(int index) {
        Bucket b = buckets[index];
        return b == null ? List.of() : List.copyOf(b.replacements.values());
    }

    /** Whether exactly this contact (id and address) is live in the table. */
    public synchronized boolean contains(Contact contact) {
        Bucket b = buckets[bucketIndex(contact.key())];
        Bucket.Entry e = b == null ? null : b.live.get(contact.key());
        return e != null && e.contact.equals(contact);
    }

    /** The live contact with id {@code node}, if the table holds one (looks in its bucket only). */
    public synchronized Optional<Contact> find(NodeId node) {
        Key key = Key.of(node);
        Bucket b = buckets[bucketIndex(key)];
        Bucket.Entry e = b == null ? null : b.live.get(key);
        return e == null ? Optional.empty() : Optional.of(e.contact);
    }

    /** Every live contact. */
    public synchronized List<Contact> contacts() {
        List<Contact> out = new ArrayList<>(size);
        for (Bucket b : buckets) {
            if (b != null) {
                out.addAll(b.liveContacts());
            }
        }
        return out;
    }

    /** The number of live contacts. */
    public synchronized int size() {
        return size;
    }
}
