package org.gcs.routing.kademlia.dht;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;
import java.util.function.Supplier;
import java.util.random.RandomGenerator;
import org.gcs.api.NodeId;
import org.gcs.api.ProtocolException;
import org.gcs.api.TransportException;

/**
 * One DHT node: its routing table, lookups, handler cache and inbound request handling. It reaches the network only
 * through {@link KadRpc} and time only through {@link Scheduler}.
 *
 * <pre>{@code
 * Kademlia dht = new Kademlia(self, KadConfig.defaults(), rpc, new ExecutorScheduler(timer), new SplittableRandom());
 * dht.bootstrap(seeds).join();                                   // lookup of self, then refresh of farther buckets
 * List<Contact> handlers = dht.closestNodes(Key.ofUser(user), 3).join();
 * // link layer, on an inbound request from an authenticated node:
 * List<Contact> answer = dht.onFindNode(sender, target);          // throws RateLimitedException past its budget
 * }</pre>
 *
 * <p>Threads: thread-safe, and non-blocking. The routing table, each lookup, the rate limiter, the churn meter and the
 * cache each have their own lock, held only for in-memory work and never while calling out (RPCs, futures'
 * dependents, scheduled tasks). Inbound handlers run on the caller's thread (e.g. a Netty I/O thread) and answer at
 * once; lookups continue on whichever thread completes the {@link KadRpc} futures or runs the {@link Scheduler}'s
 * tasks (timeouts, refresh). Results complete on those threads too: dependents must not block.
 */
public final class Kademlia {
    private final Contact self;
    private final KadConfig config;
    private final KadRpc rpc;
    private final Scheduler scheduler;
    private final RandomGenerator random;
    private final RoutingTable table;
    private final LookupCache cache;
    private final ChurnMeter churn;
    private final SenderRateLimiter limiter;
    private final Set<Lookup> running = ConcurrentHashMap.newKeySet();
    private final Lookup.Listener learner;
    private volatile boolean stopped;
    private Cancellable refreshTimer;
    private long lastSelfLookupMillis = Long.MIN_VALUE / 2;

    /**
     * @param self this node's id and node-to-node address
     * @param random the source of refresh keys (seed it for reproducible runs); used under a lock
     */
    public Kademlia(Contact self, KadConfig config, KadRpc rpc, Scheduler scheduler, RandomGenerator random) {
        this.self = Objects.requireNonNull(self, "self");
        this.config = Objects.requireNonNull(config, "config");
        this.rpc = Objects.requireNonNull(rpc, "rpc");
        this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
        this.random = Objects.requireNonNull(random, "random");
        this.churn = new ChurnMeter(config.churnWindowMillis());
        this.table = new RoutingTable(self, config, this::timedPing, dead -> churn.contactDied(scheduler.nowMillis()));
        this.cache = new LookupCache(config);
        this.limiter = new SenderRateLimiter(config);
        this.learner = new Lookup.Listener() {
            @Override
            public void answered(Contact contact) {
                learn(contact);
            }

            @Override
            public void failed(Contact contact) {
                table.recordFailure(contact);
            }
        };
    }

    public Contact self() {
        return self;
    }

    public KadConfig config() {
        return config;
    }

    /** The routing table (read it for statistics; the DHT feeds it). */
    public RoutingTable table() {
        return table;
    }

    /**
     * Joins the network: a lookup of the local key seeded with {@code seeds}, then a lookup of a random key in each
     * bucket farther than the closest neighbour found, then the periodic refresh starts. Fails when seeds were given
     * and none of them, nor anyone they referred, answered. With no seeds (the first node) it just starts the refresh.
     */
    public CompletableFuture<Void> bootstrap(List<Contact> seeds) {
        if (stopped) {
            return CompletableFuture.failedFuture(new DhtStoppedException("DHT node stopped"));
        }
        startRefreshTimer();
        synchronized (this) {
            lastSelfLookupMillis = scheduler.nowMillis();
        }
        return lookup(self.key(), seeds, never()).thenCompose(found -> {
            if (!seeds.isEmpty() && table.size() == 0) {
                return CompletableFuture.failedFuture(
                        new TransportException("bootstrap: none of " + seeds.size() + " seeds answered"));
            }
            int closestNeighbour = table.deepestNonEmptyBucket();
            List<Integer> farther = new ArrayList<>();
            for (int i : table.bucketsToRefresh(scheduler.nowMillis(), config.refreshIntervalMillis())) {
                if (i < closestNeighbour) {
                    farther.add(i);
                }
            }
            return refresh(farther);
        });
    }

    /** The k closest live nodes to {@code target} (the local node excluded), found by an iterative lookup. */
    public CompletableFuture<LookupResult> lookup(Key target) {
        return lookup(target, List.of(), never());
    }

    /** A lookup that also ends when {@code stop} says so; {@code stop} runs under the lookup's lock: keep it quick. */
    public CompletableFuture<LookupResult> lookup(Key target, Predicate<PeerSet> stop) {
        return lookup(target, List.of(), stop);
    }

    private CompletableFuture<LookupResult> lookup(Key target, Collection<Contact> extraSeeds,
            Predicate<PeerSet> stop) {
        if (stopped) {
            return CompletableFuture.failedFuture(new DhtStoppedException("DHT node stopped"));
        }
        table.markLookup(target, scheduler.nowMillis());
        List<Contact> seeds = new ArrayList<>(table.closest(target, config.k(), null));
        seeds.addAll(extraSeeds);
        Lookup lookup = new Lookup(target, self.id(), seeds, c -> timedFindNode(c, target), stop, config, scheduler,
                learner);
        running.add(lookup);
        CompletableFuture<LookupResult> result = lookup.start();
        result.whenComplete((r, e) -> running.remove(lookup));
        if (stopped) {
            lookup.abort(new DhtStoppedException("DHT node stopped"));
        }
        return result;
    }

    /**
     * The {@code r} handler nodes of {@code key}: the r closest live nodes, the local node included when it is among
     * them, at most {@link KadConfig#maxPerGroupPerResult()} per IP group. Served from the {@link LookupCache} while
     * fresh, else by a lookup (whose converged result is cached).
     */
    public CompletableFuture<List<Contact>> closestNodes(Key key, int r) {
        if (r < 1 || r > config.k()) {
            throw new IllegalArgumentException("r must be in [1, " + config.k() + "]: " + r);
        }
        List<Contact> cached = cache.get(key, scheduler.nowMillis());
        if (cached != null) {
            return CompletableFuture.completedFuture(first(cached, r));
        }
        return lookup(key).thenApply(found -> {
            List<Contact> handlers = withSelf(key, found.closest());
            if (found.outcome() == LookupResult.Outcome.CONVERGED) {
                long now = scheduler.nowMillis();
                cache.put(key, handlers, now, cache.ttlMillis(churn.deathRatePerContactPerSecond(now, table.size())));
            }
            return first(handlers, r);
        });
    }

    /** Forgets the cached handlers of {@code key} (call it when one of them turned out dead or wrong). */
    public void invalidate(Key key) {
        cache.invalidate(key);
    }

    /** The current handler cache TTL, from the observed churn (see {@link LookupCache}). */
    public long cacheTtlMillis() {
        long now = scheduler.nowMillis();
        return cache.ttlMillis(churn.deathRatePerContactPerSecond(now, table.size()));
    }

    private List<Contact> withSelf(Key key, List<Contact> found) {
        List<Contact> all = new ArrayList<>(found.size() + 1);
        all.addAll(found);
        all.add(self);
        all.sort((a, b) -> key.compareDistance(a.key(), b.key()));
        int maxPerGroup = config.maxPerGroupPerResult();
        Map<IpGroup, Integer> perGroup = new HashMap<>();
        List<Contact> out = new ArrayList<>(config.k());
        for (Contact c : all) {
            if (out.size() >= config.k()) {
                break;
            }
            if (maxPerGroup == 0 || perGroup.merge(c.group(), 1, Integer::sum) <= maxPerGroup) {
                out.add(c);
            }
        }
        return out;
    }

    private static List<Contact> first(List<Contact> contacts, int r) {
        return List.copyOf(contacts.subList(0, Math.min(r, contacts.size())));
    }

    /**
     * Serves an inbound find-node from an authenticated {@code sender} (the link layer vouches for its id; its address
     * should be the one it listens on, with the IP it connected from): learns the sender through the table's rules and
     * returns the k contacts closest to {@code target} it knows, the sender excluded.
     *
     * @throws RateLimitedException when the sender spent its budget (nothing is learned then)
     * @throws DhtStoppedException after {@link #stop()}
     */
    public List<Contact> onFindNode(Contact sender, Key target) {
        admit(sender);
        learn(sender);
        return table.closest(Objects.requireNonNull(target, "target"), config.k(), sender.id());
    }

    /** Serves an inbound ping: learns the sender as {@link #onFindNode} does and returns normally if it may. */
    public void onPing(Contact sender) {
        admit(sender);
        learn(sender);
    }

    private void learn(Contact contact) {
        if (table.add(contact) == RoutingTable.AddResult.ADDED) {
            contactArrived(contact);
        }
    }

    /**
     * A node joined or came back ({@code contact} entered the routing table, or linked to this node anew after a
     * restart): cached closest sets it may belong among are forgotten, so the next lookup of those keys finds it.
     */
    public void contactArrived(Contact contact) {
        cache.invalidateWhereCloser(contact, config.k());
    }

    private void admit(Contact sender) {
        Objects.requireNonNull(sender, "sender");
        if (stopped) {
            throw new DhtStoppedException("DHT node stopped");
        }
        if (sender.id().equals(self.id())) {
            throw new ProtocolException("a request claims to come from this node's own id");
        }
        if (!limiter.tryAcquire(sender.id(), scheduler.nowMillis())) {
            throw new RateLimitedException("node " + sender + " exceeded " + config.rateLimitBurst() + " queries + "
                    + config.rateLimitPerSecond() + "/s");
        }
    }

    /** Stops the node: refresh ends, running lookups fail with {@link DhtStoppedException}, requests are refused. */
    public void stop() {
        stopped = true;
        Cancellable timer;
        synchronized (this) {
            timer = refreshTimer;
            refreshTimer = null;
        }
        if (timer != null) {
            timer.cancel();
        }
        for (Lookup l : List.copyOf(running)) {
            l.abort(new DhtStoppedException("DHT node stopped"));
        }
    }

    private void startRefreshTimer() {
        synchronized (this) {
            if (refreshTimer != null || stopped) {
                return;
            }
            refreshTimer = () -> { };
        }
        scheduleRefresh();
    }

    private void scheduleRefresh() {
        Cancellable next = scheduler.schedule(config.refreshIntervalMillis() / 4, this::periodicRefresh);
        synchronized (this) {
            if (refreshTimer == null) {
                next.cancel();
            } else {
                refreshTimer = next;
            }
        }
    }

    /** Refreshes buckets without a lookup in the interval, and looks up the local key again when that is as old. */
    private void periodicRefresh() {
        if (stopped) {
            return;
        }
        long now = scheduler.nowMillis();
        boolean selfLookup;
        synchronized (this) {
            selfLookup = now - lastSelfLookupMillis >= config.refreshIntervalMillis();
            if (selfLookup) {
                lastSelfLookupMillis = now;
            }
        }
        if (selfLookup) {
            lookup(self.key());
        }
        refresh(table.bucketsToRefresh(now, config.refreshIntervalMillis()));
        scheduleRefresh();
    }

    private CompletableFuture<Void> refresh(List<Integer> buckets) {
        List<CompletableFuture<LookupResult>> lookups = new ArrayList<>(buckets.size());
        for (int i : buckets) {
            Key key;
            synchronized (random) {
                key = Key.randomWithPrefix(self.key(), i, random);
            }
            lookups.add(lookup(key));
        }
        return CompletableFuture.allOf(lookups.toArray(CompletableFuture[]::new));
    }

    private CompletableFuture<List<Contact>> timedFindNode(Contact to, Key target) {
        return withTimeout(() -> rpc.findNode(to, target), "find-node", to);
    }

    private CompletableFuture<Void> timedPing(Contact to) {
        return withTimeout(() -> rpc.ping(to), "ping", to);
    }

    /** Sends a request and fails it after the RPC timeout if the {@link KadRpc} has not answered by then. */
    private <T> CompletableFuture<T> withTimeout(Supplier<CompletableFuture<T>> request, String what, Contact to) {
        if (stopped) {
            return CompletableFuture.failedFuture(new DhtStoppedException("DHT node stopped"));
        }
        CompletableFuture<T> out = new CompletableFuture<>();
        long timeout = config.rpcTimeoutMillis();
        Cancellable timer = scheduler.schedule(timeout,
                () -> out.completeExceptionally(new RpcTimeoutException(what + " to " + to + ": no answer in "
                        + timeout + " ms")));
        CompletableFuture<T> sent;
        try {
            sent = Objects.requireNonNull(request.get(), "KadRpc returned no future");
        } catch (RuntimeException e) {
            sent = CompletableFuture.failedFuture(e);
        }
        sent.whenComplete((value, error) -> {
            timer.cancel();
            if (error != null) {
                out.completeExceptionally(error);
            } else {
                out.complete(value);
            }
        });
        return out;
    }

    private static Predicate<PeerSet> never() {
        return peers -> false;
    }
}
