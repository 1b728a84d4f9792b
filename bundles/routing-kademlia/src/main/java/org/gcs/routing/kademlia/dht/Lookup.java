package org.gcs.routing.kademlia.dht;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.function.Predicate;
import org.gcs.api.NodeId;

/**
 * One iterative Kademlia lookup, shaped as go-libp2p-kad-dht's {@code query.go}: a query function (contact to future
 * of the contacts it knows closer to the target) and a stop function over the {@link PeerSet}.
 *
 * <p>Rules: up to alpha queries in flight, always to the closest candidates not asked yet. The candidates are the k
 * closest peers not given up on, skipping peers of an IP group that already has
 * {@link KadConfig#maxPerGroupPerResult()} closer peers that answered ({@link PeerSet#candidates}). The lookup
 * converges when all candidates have answered, and ends early when the stop function says so, after
 * {@link KadConfig#lookupTimeoutMillis()} or after {@link KadConfig#maxQueriesPerLookup()} queries; its result is the
 * k closest peers that answered, within the same group limit.
 *
 * <p>From each answer it takes at most k contacts (the rest is ignored), skipping the local node and the responder. It
 * does <em>not</em> ignore contacts farther than the responder: a lookup collects the k closest nodes, and the
 * responders nearest the target legitimately return nodes farther than themselves that belong in the result; ordering
 * by distance already keeps far contacts from being asked.
 *
 * <p>Failures: a contact that fails or times out is dropped (or retried at another address a responder gave for the
 * same id) and the lookup goes on. A query unanswered after {@link KadConfig#slowQueryMillis()} is slow: it frees its
 * slot, and the lookup may converge without it (an answer that still comes is used), so a dead or invented contact
 * costs the slow threshold, not the RPC timeout. A lookup that has no answer at all yet does wait for its slow
 * queries, though (to their RPC timeout), so a seed slower than the threshold still counts. A responder with at least three referrals that failed or were slow,
 * and more than twice as many of those as referrals that answered, is distrusted: peers only it referred are no longer
 * asked, and addresses it gave are replaced by those others gave. Bogus referrals then cost about one slow threshold
 * per lying responder met, never the lookup.
 *
 * <p>Thread-safe: one lock per lookup; query futures may complete on any thread, even synchronously. The query
 * function, the listener and the result's dependents are called without the lock; the stop function is called with
 * it held and must be quick.
 */
final class Lookup {
    /** Told what each queried contact did, so the routing table can learn from it. Called without the lock. */
    interface Listener {
        void answered(Contact contact);

        void failed(Contact contact);
    }

    private static final int DISTRUST_MIN_FAILURES = 3;

    private final PeerSet peers;
    private final NodeId self;
    private final Function<Contact, CompletableFuture<List<Contact>>> query;
    private final Predicate<PeerSet> stop;
    private final int k;
    private final int alpha;
    private final int maxPerGroup;
    private final int maxQueries;
    private final long timeoutMillis;
    private final long slowMillis;
    private final Scheduler scheduler;
    private final Listener listener;
    private final CompletableFuture<LookupResult> result = new CompletableFuture<>();
    private final AtomicInteger pumpRequests = new AtomicInteger();
    private final Map<Key, int[]> referralOutcomes = new HashMap<>(); // {answered, failed}
    private final Set<Key> distrusted = new HashSet<>();

    private long startMillis;
    private Cancellable deadline = () -> { };
    private boolean done;
    private int inFlight;
    private int slowPending;
    private int queries;
    private int failures;

    Lookup(Key target, NodeId self, Collection<Contact> seeds,
            Function<Contact, CompletableFuture<List<Contact>>> query, Predicate<PeerSet> stop, KadConfig config,
            Scheduler scheduler, Listener listener) {
        this.peers = new PeerSet(target);
        this.self = self;
        this.query = query;
        this.stop = stop;
        this.k = config.k();
        this.alpha = config.alpha();
        this.maxPerGroup = config.maxPerGroupPerResult();
        this.maxQueries = config.maxQueriesPerLookup();
        this.timeoutMillis = config.lookupTimeoutMillis();
        this.slowMillis = config.slowQueryMillis();
        this.scheduler = scheduler;
        this.listener = listener;
        for (Contact c : seeds) {
            if (!c.id().equals(self)) {
                peers.offer(c, 0, null, distrusted);
            }
        }
    }

    /** Starts the lookup; the future completes when it ends (it never fails unless {@link #abort} is called). */
    CompletableFuture<LookupResult> start() {
        Cancellable timer;
        synchronized (this) {
            startMillis = scheduler.nowMillis();
        }
        timer = scheduler.schedule(timeoutMillis, () -> end(LookupResult.Outcome.TIMED_OUT));
        synchronized (this) {
            if (done) {
                timer.cancel();
            } else {
                deadline = timer;
            }
        }
        pump();
        return result;
    }

    /** Ends the lookup at once with {@code cause} (the node stops). */
    void abort(RuntimeException cause) {
        Cancellable timer;
        synchronized (this) {
            if (done) {
                return;
            }
            done = true;
            timer = deadline;
        }
        timer.cancel();
        result.completeExceptionally(cause);
    }

    /** Runs {@link #step} until no more work is requested; re-entrant calls only ask the running loop to go again. */
    private void pump() {
        if (pumpRequests.getAndIncrement() != 0) {
            return;
        }
        do {
            step();
        } while (pumpRequests.decrementAndGet() != 0);
    }

    /** One request in flight; its fields are guarded by the lookup's lock. */
    private static final class Query {
        final PeerSet.Peer peer;
        final Contact contact;
        boolean slow;
        boolean resolved;
        Cancellable slowTimer = () -> { };

        Query(PeerSet.Peer peer, Contact contact) {
            this.peer = peer;
            this.contact = contact;
        }
    }

    private void step() {
        List<Query> toSend = new ArrayList<>(alpha);
        LookupResult finished = null;
        Cancellable timer = null;
        synchronized (this) {
            if (done) {
                return;
            }
            LookupResult.Outcome outcome = null;
            if (stop.test(peers)) {
                outcome = LookupResult.Outcome.STOPPED;
            } else {
                List<PeerSet.Peer> candidates = peers.candidates(k, maxPerGroup);
                boolean allAnswered = true;
                for (PeerSet.Peer p : candidates) {
                    if (p.state != PeerSet.State.ANSWERED) {
                        allAnswered = false;
                    }
                    if (p.state == PeerSet.State.HEARD && inFlight < alpha && queries < maxQueries) {
                        p.state = PeerSet.State.WAITING;
                        inFlight++;
                        queries++;
                        toSend.add(new Query(p, p.contact));
                    }
                }
                if (allAnswered && (!candidates.isEmpty() || slowPending == 0)) {
                    outcome = LookupResult.Outcome.CONVERGED;
                } else if (inFlight == 0 && queries >= maxQueries) {
                    outcome = LookupResult.Outcome.QUERY_LIMIT;
                }
            }
            if (outcome != null) {
                finished = finish(outcome);
                timer = deadline;
            }
        }
        if (finished != null) {
            timer.cancel();
            result.complete(finished);
            return;
        }
        for (Query q : toSend) {
            Cancellable slowTimer = scheduler.schedule(slowMillis, () -> {
                slow(q);
                pump();
            });
            synchronized (this) {
                if (q.resolved) {
                    slowTimer.cancel();
                } else {
                    q.slowTimer = slowTimer;
                }
            }
            CompletableFuture<List<Contact>> answer;
            try {
                answer = query.apply(q.contact);
            } catch (RuntimeException e) {
                answer = CompletableFuture.failedFuture(e);
            }
            answer.whenComplete((contacts, error) -> {
                if (error == null && contacts != null) {
                    answered(q, contacts);
                } else {
                    failed(q);
                }
                pump();
            });
        }
    }

    private void answered(Query q, List<Contact> contacts) {
        Cancellable timer;
        synchronized (this) {
            q.resolved = true;
            timer = q.slowTimer;
            if (!done) {
                if (q.slow) {
                    slowPending--;
                } else {
                    inFlight--;
                }
                PeerSet.Peer p = q.peer;
                p.state = PeerSet.State.ANSWERED;
                for (Key r : p.referrers) {
                    int[] outcome = referralOutcomes.computeIfAbsent(r, x -> new int[2]);
                    outcome[0]++;
                    if (q.slow) {
                        outcome[1]--; // it was counted against the referrer when it turned slow
                    }
                }
                int taken = 0;
                for (Contact c : contacts) {
                    if (taken++ >= k) {
                        break;
                    }
                    if (c != null && !c.id().equals(self) && !c.id().equals(q.contact.id())) {
                        peers.offer(c, p.depth + 1, q.contact.key(), distrusted);
                    }
                }
            }
        }
        timer.cancel();
        listener.answered(q.contact);
    }

    private void failed(Query q) {
        Cancellable timer;
        synchronized (this) {
            q.resolved = true;
            timer = q.slowTimer;
            if (!done) {
                failures++;
                PeerSet.Peer p = q.peer;
                p.state = p.useTrustedAlternate(distrusted) ? PeerSet.State.HEARD : PeerSet.State.UNREACHABLE;
                if (q.slow) {
                    slowPending--;
                } else {
                    inFlight--;
                    countAgainstReferrers(p);
                }
            }
        }
        timer.cancel();
        listener.failed(q.contact);
    }

    /** The query got no answer within the slow threshold: it frees its slot and counts against its referrers. */
    private void slow(Query q) {
        synchronized (this) {
            if (done || q.resolved || q.slow) {
                return;
            }
            q.slow = true;
            q.peer.slow = true;
            inFlight--;
            slowPending++;
            countAgainstReferrers(q.peer);
        }
    }

    /** Records a failed (or slow) referral; caller holds the lock. */
    private void countAgainstReferrers(PeerSet.Peer p) {
        boolean newlyDistrusted = false;
        for (Key r : p.referrers) {
            int[] outcome = referralOutcomes.computeIfAbsent(r, x -> new int[2]);
            outcome[1]++;
            if (outcome[1] >= DISTRUST_MIN_FAILURES && outcome[1] > 2 * outcome[0] && distrusted.add(r)) {
                newlyDistrusted = true;
            }
        }
        if (newlyDistrusted) {
            peers.applyDistrust(distrusted);
        }
    }

    private void end(LookupResult.Outcome outcome) {
        LookupResult finished;
        synchronized (this) {
            if (done) {
                return;
            }
            finished = finish(outcome);
        }
        result.complete(finished);
    }

    /** Marks the lookup done and builds its result; caller holds the lock. */
    private LookupResult finish(LookupResult.Outcome outcome) {
        done = true;
        List<PeerSet.Peer> answered = peers.closestAnswered(k, maxPerGroup);
        List<Contact> closest = new ArrayList<>(answered.size());
        for (PeerSet.Peer p : answered) {
            closest.add(p.contact);
        }
        int rounds = peers.maxAnsweredDepth() + 1;
        int hops = answered.isEmpty() ? 0 : answered.get(0).depth + 1;
        return new LookupResult(peers.target(), closest, hops, rounds, queries, failures,
                scheduler.nowMillis() - startMillis, outcome);
    }
}
