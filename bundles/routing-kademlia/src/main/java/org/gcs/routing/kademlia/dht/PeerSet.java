package org.gcs.routing.kademlia.dht;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.gcs.api.NodeId;

/**
 * The peers one lookup knows of, ordered by distance to its target, each with its state (as go-libp2p-kad-dht's
 * {@code qpeerset}). Besides states it keeps, per peer, a few alternative addresses other responders gave for the
 * same id (so a forged address cannot hide a real node) and who referred it (so referrals of a responder whose
 * referrals keep failing can be dropped).
 *
 * <p>Not thread-safe: owned by its {@link Lookup} and guarded by the lookup's lock. A stop function may read it while
 * it is called; it must not keep a reference.
 */
public final class PeerSet {
    /** What a lookup knows of a peer. */
    public enum State {
        /** Known, not asked yet. */
        HEARD,
        /** Asked, answer pending. */
        WAITING,
        /** Answered. */
        ANSWERED,
        /** Failed or timed out at every address known for it. */
        UNREACHABLE,
        /** Never asked: only referred by responders whose referrals kept failing. */
        DISCARDED
    }

    static final int MAX_ALTERNATE_ADDRESSES = 2;
    static final int MAX_REFERRERS = 4;

    /** An address given for a peer, and who gave it (null: the local routing table). */
    record Address(Contact contact, Key source) {
    }

    static final class Peer {
        Contact contact;
        /** Who gave the address in {@link #contact} (null: the local routing table). */
        Key source;
        State state = State.HEARD;
        /** Asked, and no answer within the slow threshold: no longer waited for, but an answer is still taken. */
        boolean slow;
        final int depth;
        final ArrayDeque<Address> alternates = new ArrayDeque<>(MAX_ALTERNATE_ADDRESSES);
        final List<Key> referrers = new ArrayList<>(1);

        Peer(Contact contact, Key source, int depth) {
            this.contact = contact;
            this.source = source;
            this.depth = depth;
        }

        /** Switches to the first alternative address not given by a distrusted responder; false when none is left. */
        boolean useTrustedAlternate(Set<Key> distrusted) {
            for (Address a : alternates) {
                if (a.source() == null || !distrusted.contains(a.source())) {
                    alternates.remove(a);
                    contact = a.contact();
                    source = a.source();
                    slow = false;
                    return true;
                }
            }
            return false;
        }

        boolean knowsAddress(Contact c) {
            if (contact.equals(c)) {
                return true;
            }
            for (Address a : alternates) {
                if (a.contact().equals(c)) {
                    return true;
                }
            }
            return false;
        }
    }

    private final Key target;
    private final TreeMap<Key, Peer> byDistance = new TreeMap<>();
    private final Map<Key, Peer> byId = new HashMap<>();

    PeerSet(Key target) {
        this.target = target;
    }

    /** The key the lookup looks for. */
    public Key target() {
        return target;
    }

    /** The state of the peer with this id, or null when the lookup has not heard of it. */
    public State state(NodeId id) {
        Peer p = byId.get(Key.of(id));
        return p == null ? null : p.state;
    }

    /** The number of peers in {@code state}. */
    public int count(State state) {
        int n = 0;
        for (Peer p : byDistance.values()) {
            if (p.state == state) {
                n++;
            }
        }
        return n;
    }

    /** The (at most) {@code n} closest contacts in {@code state}, nearest first. */
    public List<Contact> closest(State state, int n) {
        List<Contact> out = new ArrayList<>();
        for (Peer p : byDistance.values()) {
            if (out.size() >= n) {
                break;
            }
            if (p.state == state) {
                out.add(p.contact);
            }
        }
        return out;
    }

    /**
     * Adds a referral by {@code referrer} (or a seed from the routing table when it is null). A new address for a known
     * peer is kept as an alternative (a few at most); it revives a peer given up on, and replaces at once an address
     * only a distrusted responder gave.
     */
    void offer(Contact contact, int depth, Key referrer, Set<Key> distrusted) {
        Peer known = byId.get(contact.key());
        if (known == null) {
            Peer p = new Peer(contact, referrer, depth);
            if (referrer != null) {
                p.referrers.add(referrer);
            }
            byId.put(contact.key(), p);
            byDistance.put(target.distance(contact.key()), p);
            return;
        }
        if (referrer != null && known.referrers.size() < MAX_REFERRERS && !known.referrers.contains(referrer)) {
            known.referrers.add(referrer);
        }
        if (known.state == State.ANSWERED || known.knowsAddress(contact)
                || known.alternates.size() >= MAX_ALTERNATE_ADDRESSES) {
            return;
        }
        known.alternates.add(new Address(contact, referrer));
        boolean revive = known.state == State.UNREACHABLE || known.state == State.DISCARDED;
        boolean replaceDistrusted = known.state == State.HEARD && known.source != null
                && distrusted.contains(known.source);
        if ((revive || replaceDistrusted) && known.useTrustedAlternate(distrusted)) {
            known.state = State.HEARD;
        }
    }

    /**
     * The lookup's current candidates: the {@code k} closest peers not yet given up on (heard, answered, or waiting
     * and not slow),
     * skipping those of an IP group that already has {@code maxPerGroup} closer peers that answered (0 = no limit),
     * nearest first. Only answers fill a group: peers of one group not asked yet may be asked in parallel (one
     * responder's referrals often share a group, invented ones always do), and all but the closest that answers drop
     * out afterwards.
     */
    List<Peer> candidates(int k, int maxPerGroup) {
        return walk(k, maxPerGroup, false);
    }

    /** The {@code k} closest peers that answered, at most {@code maxPerGroup} per IP group, nearest first. */
    List<Peer> closestAnswered(int k, int maxPerGroup) {
        return walk(k, maxPerGroup, true);
    }

    private List<Peer> walk(int k, int maxPerGroup, boolean answeredOnly) {
        List<Peer> out = new ArrayList<>(Math.min(k, byId.size()));
        Map<IpGroup, Integer> perGroup = maxPerGroup > 0 ? new HashMap<>() : null;
        for (Peer p : byDistance.values()) {
            if (out.size() >= k) {
                break;
            }
            boolean eligible = answeredOnly ? p.state == State.ANSWERED
                    : p.state == State.HEARD || p.state == State.ANSWERED || p.state == State.WAITING && !p.slow;
            if (!eligible) {
                continue;
            }
            if (perGroup != null) {
                if (perGroup.getOrDefault(p.contact.group(), 0) >= maxPerGroup) {
                    continue;
                }
                if (p.state == State.ANSWERED) {
                    perGroup.merge(p.contact.group(), 1, Integer::sum);
                }
            }
            out.add(p);
        }
        return out;
    }

    /**
     * Applies distrust to the peers not asked yet: one whose address came from a distrusted responder switches to an
     * address another gave, or is discarded when only distrusted responders referred it.
     */
    void applyDistrust(Set<Key> distrusted) {
        for (Peer p : byDistance.values()) {
            if (p.state != State.HEARD || p.source == null || !distrusted.contains(p.source)) {
                continue;
            }
            if (!p.useTrustedAlternate(distrusted) && distrusted.containsAll(p.referrers)) {
                p.state = State.DISCARDED;
            }
        }
    }

    /** The largest depth of a peer that answered (seeds have depth 0), or -1 when none did. */
    int maxAnsweredDepth() {
        int max = -1;
        for (Peer p : byDistance.values()) {
            if (p.state == State.ANSWERED) {
                max = Math.max(max, p.depth);
            }
        }
        return max;
    }

    int size() {
        return byId.size();
    }
}
