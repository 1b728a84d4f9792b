package org.gcs.routing.kademlia.dht.sim;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import org.gcs.api.NodeId;
import org.gcs.routing.kademlia.dht.Contact;
import org.gcs.routing.kademlia.dht.IpGroup;
import org.gcs.routing.kademlia.dht.KadConfig;
import org.gcs.routing.kademlia.dht.Kademlia;
import org.gcs.routing.kademlia.dht.Key;
import org.gcs.routing.kademlia.dht.LookupResult;

/**
 * A simulated DHT network: nodes with seeded ids, each in its own /24 ({@code 10.a.b.1}) unless a test places several
 * in one, joining through a few random earlier nodes, and the helpers the tests and the bench measure with. Everything
 * derives from one seed: the same seed gives the same run. Runs on the calling thread.
 */
public final class SimCluster {
    /** The port every simulated node listens on. */
    public static final int PORT = 7000;
    private static final long MAX_EVENTS = 2_000_000_000L;
    private static final int JOIN_SEEDS = 3;

    private final EventLoop loop = new EventLoop(MAX_EVENTS);
    private final SimNetwork network;
    private final KadConfig config;
    private final SplittableRandom random;
    private final List<SimNode> nodes = new ArrayList<>();
    private final List<SimNode> joined = new ArrayList<>();
    private int nextGroup;

    public SimCluster(long seed, KadConfig config) {
        this.config = config;
        this.random = new SplittableRandom(seed);
        this.network = new SimNetwork(loop, seed, config.rpcTimeoutMillis(), 5, 80);
    }

    public EventLoop loop() {
        return loop;
    }

    public SimNetwork network() {
        return network;
    }

    public KadConfig config() {
        return config;
    }

    /** {@code 10.(group / 256).(group % 256).host}: hosts of one group share a /24. */
    public static InetSocketAddress address(int group, int host) {
        byte[] ip = {10, (byte) (group >> 8), (byte) group, (byte) host};
        try {
            return new InetSocketAddress(InetAddress.getByAddress(ip), PORT);
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A fresh /24 nobody uses yet. */
    public int newGroup() {
        return nextGroup++;
    }

    /** A new node (not joined yet) alone in a fresh /24. */
    public SimNode newNode() {
        return newNode(address(newGroup(), 1));
    }

    /** A new node (not joined yet) at {@code address}, with a random id as if the hash of a fresh key. */
    public SimNode newNode(InetSocketAddress address) {
        byte[] id = new byte[NodeId.LENGTH];
        random.nextBytes(id);
        return newNode(NodeId.of(id), address);
    }

    /** A new node (not joined yet) with a chosen id (an adversary that ground its key) at {@code address}. */
    public SimNode newNode(NodeId id, InetSocketAddress address) {
        Contact contact = new Contact(id, address);
        SimScheduler scheduler = new SimScheduler(loop);
        Kademlia dht = new Kademlia(contact, config, network.rpcFor(contact), scheduler,
                new SplittableRandom(random.nextLong()));
        SimNode node = new SimNode(contact, dht, scheduler);
        network.register(node);
        nodes.add(node);
        return node;
    }

    /** Bootstraps {@code node} through up to three random live nodes that joined before it. */
    public CompletableFuture<Void> join(SimNode node) {
        List<SimNode> candidates = new ArrayList<>();
        for (SimNode n : joined) {
            if (n.alive() && n != node) {
                candidates.add(n);
            }
        }
        List<Contact> seeds = new ArrayList<>();
        for (int i = 0; i < JOIN_SEEDS && !candidates.isEmpty(); i++) {
            seeds.add(candidates.remove(random.nextInt(candidates.size())).contact());
        }
        joined.add(node);
        return node.dht().bootstrap(seeds);
    }

    /**
     * Adds {@code count} nodes, each in its own /24, one every {@code spacingMillis} of virtual time, and runs until
     * every bootstrap has ended. Returns the new nodes.
     */
    public List<SimNode> grow(int count, long spacingMillis) {
        List<SimNode> added = new ArrayList<>(count);
        int[] ended = {0};
        for (int i = 0; i < count; i++) {
            loop.schedule(i * spacingMillis, () -> {
                SimNode n = newNode();
                added.add(n);
                join(n).whenComplete((ok, error) -> ended[0]++);
            });
        }
        long deadline = loop.now() + count * spacingMillis + 600_000;
        boolean done = loop.runUntil(() -> ended[0] == count, deadline);
        if (!done) {
            throw new IllegalStateException("joins did not finish by virtual time " + deadline);
        }
        return added;
    }

    /** Runs the loop until {@code future} is done (at most {@code maxMillis} of virtual time) and returns its value. */
    public <T> T await(CompletableFuture<T> future, long maxMillis) {
        if (!loop.runUntil(future::isDone, loop.now() + maxMillis)) {
            throw new IllegalStateException("not done within " + maxMillis + " virtual ms");
        }
        return future.join();
    }

    /**
     * Starts {@code count} operations one every {@code spacingMillis} ({@code start} gets the index), runs until all
     * have ended (bounded by {@code maxMillis} after the last start) and returns their values in order; a failed
     * operation gives null.
     */
    public <T> List<T> runSpaced(int count, long spacingMillis, long maxMillis,
            java.util.function.IntFunction<CompletableFuture<T>> start) {
        List<CompletableFuture<T>> futures = new ArrayList<>(count);
        int[] ended = {0};
        for (int i = 0; i < count; i++) {
            CompletableFuture<T> f = new CompletableFuture<>();
            futures.add(f);
            int index = i;
            loop.schedule(i * spacingMillis, () -> start.apply(index).whenComplete((value, error) -> {
                ended[0]++;
                f.complete(error == null ? value : null);
            }));
        }
        long deadline = loop.now() + count * spacingMillis + maxMillis;
        if (!loop.runUntil(() -> ended[0] == count, deadline)) {
            throw new IllegalStateException("operations did not end by virtual time " + deadline);
        }
        List<T> out = new ArrayList<>(count);
        futures.forEach(f -> out.add(f.join()));
        return out;
    }

    public List<SimNode> nodes() {
        return List.copyOf(nodes);
    }

    public List<SimNode> alive() {
        List<SimNode> out = new ArrayList<>();
        for (SimNode n : nodes) {
            if (n.alive()) {
                out.add(n);
            }
        }
        return out;
    }

    public SimNode randomAlive() {
        List<SimNode> alive = alive();
        return alive.get(random.nextInt(alive.size()));
    }

    public Key randomKey() {
        return Key.random(random);
    }

    public SplittableRandom random() {
        return random;
    }

    /** Kills a random {@code fraction} of the live nodes at once; returns them. */
    public List<SimNode> killFraction(double fraction) {
        List<SimNode> alive = alive();
        int count = (int) Math.round(alive.size() * fraction);
        List<SimNode> killed = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            SimNode n = alive.remove(random.nextInt(alive.size()));
            n.kill();
            killed.add(n);
        }
        return killed;
    }

    /**
     * The {@code n} live nodes truly closest to {@code key}, nearest first, with the DHT's result rule of at most
     * {@link KadConfig#maxPerGroupPerResult()} per IP group: what a perfect lookup would return.
     */
    public List<Contact> trueClosest(Key key, int n) {
        List<Contact> all = new ArrayList<>();
        for (SimNode node : nodes) {
            if (node.alive()) {
                all.add(node.contact());
            }
        }
        all.sort((a, b) -> key.compareDistance(a.key(), b.key()));
        Map<IpGroup, Integer> perGroup = new HashMap<>();
        List<Contact> out = new ArrayList<>(n);
        int limit = config.maxPerGroupPerResult();
        for (Contact c : all) {
            if (out.size() >= n) {
                break;
            }
            if (limit == 0 || perGroup.merge(c.group(), 1, Integer::sum) <= limit) {
                out.add(c);
            }
        }
        return out;
    }

    /** One measured lookup: who asked, for what, what it found, and whether that includes the true closest node. */
    public record Measured(SimNode from, Key key, LookupResult result, boolean success) {
    }

    /**
     * Looks up {@code count} random keys, each from a random live node, starting one every {@code spacingMillis}, and
     * runs until all have ended. Success: the closest of the result plus the asking node is the true closest live node.
     */
    public List<Measured> lookupRandomKeys(int count, long spacingMillis) {
        List<CompletableFuture<Measured>> futures = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            SimNode from = randomAlive();
            Key key = randomKey();
            CompletableFuture<Measured> measured = new CompletableFuture<>();
            futures.add(measured);
            loop.schedule(i * spacingMillis, () -> {
                if (!from.alive()) {
                    measured.complete(new Measured(from, key, null, false));
                    return;
                }
                from.dht().lookup(key).whenComplete((result, error) -> measured.complete(
                        new Measured(from, key, result, error == null && foundClosest(from, key, result))));
            });
        }
        long deadline = loop.now() + count * spacingMillis + config.lookupTimeoutMillis() + 60_000;
        int[] ended = {0};
        futures.forEach(f -> f.whenComplete((m, e) -> ended[0]++));
        if (!loop.runUntil(() -> ended[0] == count, deadline)) {
            throw new IllegalStateException("lookups did not end by virtual time " + deadline);
        }
        List<Measured> out = new ArrayList<>(count);
        for (CompletableFuture<Measured> f : futures) {
            out.add(f.join());
        }
        return out;
    }

    private boolean foundClosest(SimNode from, Key key, LookupResult result) {
        Contact best = from.contact();
        if (!result.closest().isEmpty() && key.compareDistance(result.closest().get(0).key(), best.key()) < 0) {
            best = result.closest().get(0);
        }
        return best.equals(trueClosest(key, 1).get(0));
    }

    /** A SHA-256 over everything measured (keys, results, costs, virtual time): equal digests, equal runs. */
    public String digest(List<Measured> runs) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            for (Measured m : runs) {
                StringBuilder line = new StringBuilder().append(m.from().contact()).append(m.key()).append(m.success());
                LookupResult r = m.result();
                if (r != null) {
                    line.append(r.hops()).append(',').append(r.rounds()).append(',').append(r.queries()).append(',')
                            .append(r.failures()).append(',').append(r.elapsedMillis()).append(r.outcome());
                    for (Contact c : r.closest()) {
                        line.append(c);
                    }
                }
                sha.update(line.toString().getBytes(StandardCharsets.UTF_8));
            }
            sha.update(Long.toString(loop.now()).getBytes(StandardCharsets.UTF_8));
            sha.update(Long.toString(loop.executed()).getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(sha.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
