package org.gcs.launcher;

import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.gcs.api.AppId;
import org.gcs.api.DeviceId;
import org.gcs.api.UserId;
import org.gcs.client.ClientOptions;
import org.gcs.client.GcsClient;
import org.gcs.client.IncomingDecision;
import org.gcs.client.Listener;
import org.gcs.client.PeerConnection;

/**
 * Benchmark of the distributed role against the central one, in one run with one harness: for a central node and for
 * Kademlia deployments of the given sizes, (1) login latency of daemons on a first start (each given one bootstrap node
 * picked at random) and on a restart with remembered handlers, and the share that first reached a node other than the
 * one they logged in at; (2) connect latency as an application sees it (sequential connects, then one concurrent
 * round), Alice and Bob on different handler nodes; (3) for Kademlia, the time from a SIGKILL of the node Bob is
 * attached to until a connect from Alice to Bob succeeds again, over several kills (the node is restarted between
 * kills). Every loop is bounded in count and time; all processes are on 127.0.0.1.
 */
public final class DistributedBench {
    private static final AppId APP = AppId.of("bench");
    private static final Duration LOGIN_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration CALLABLE_TIMEOUT = Duration.ofSeconds(30);
    private static final Pattern CONNECTING = Pattern.compile(
            "(\\d\\d:\\d\\d:\\d\\d\\.\\d{3}) \\S+ \\S+: connecting to node \\S+ \\(id ([0-9a-f]{64})\\)");
    private static final Pattern LOGGED_IN = Pattern.compile(
            "(\\d\\d:\\d\\d:\\d\\d\\.\\d{3}) \\S+ \\S+: logged in to node ([0-9a-f]{64}) at ");

    private final Path workDir;
    private final PrintStream out;
    private final SplittableRandom random = new SplittableRandom(42);

    public DistributedBench(Path workDir, PrintStream out) {
        this.workDir = workDir.toAbsolutePath();
        this.out = out;
    }

    /** What one deployment measured. */
    public record Result(String deployment, Logins firstStart, Logins restart, Latencies sequential,
            ConnectBench.Result concurrent, Latencies killToCallable) {
    }

    /** Login latencies (ms) and how many daemons first reached a node other than the one they logged in at. */
    public record Logins(List<Long> millis, int movedAway) {
        double p50() {
            return ConnectBench.percentile(nanos(millis), 50);
        }

        double p99() {
            return ConnectBench.percentile(nanos(millis), 99);
        }
    }

    /** Latencies in nanoseconds of the attempts that succeeded, and how many failed. */
    public record Latencies(List<Long> nanos, int failed) {
        double p50() {
            return ConnectBench.percentile(sorted(nanos), 50);
        }

        double p99() {
            return ConnectBench.percentile(sorted(nanos), 99);
        }
    }

    /**
     * @param kademliaSizes node counts of the Kademlia deployments (e.g. 3, 20)
     * @param users daemons started for the login measurement
     * @param connects sequential connects measured (after 5 warm-up ones)
     * @param concurrent connects of the concurrent round
     * @param kills node kills measured per Kademlia deployment
     */
    public List<Result> run(int[] kademliaSizes, int users, int connects, int concurrent, int kills) throws Exception {
        List<Result> results = new ArrayList<>();
        results.add(deployment(0, users, connects, concurrent, 0));
        for (int size : kademliaSizes) {
            results.add(deployment(size, users, connects, concurrent, kills));
        }
        return results;
    }

    private Result deployment(int kademliaNodes, int users, int connects, int concurrent, int kills) throws Exception {
        String name = kademliaNodes == 0 ? "central (1 node)" : "kademlia (" + kademliaNodes + " nodes)";
        Path dir = workDir.resolve(kademliaNodes == 0 ? "central" : "kademlia-" + kademliaNodes);
        LocalCluster.deleteTree(dir);
        out.println("== " + name);
        try (LocalCluster cluster = new LocalCluster(dir, LocalCluster.findAssembly(), null)) {
            List<KademliaNodeProcess> kad = new ArrayList<>();
            List<NodeProcess> nodes = new ArrayList<>();
            if (kademliaNodes == 0) {
                nodes.add(cluster.startCentral());
            } else {
                kad.add(cluster.startKademlia("node1", List.of()));
                for (int i = 2; i <= kademliaNodes; i++) {
                    kad.add(cluster.startKademlia("node" + i, List.of(kad.get(random.nextInt(kad.size())))));
                }
                awaitContacts(kad, Math.min(kademliaNodes - 1, 3));
                kad.forEach(k -> nodes.add(k.node()));
            }
            out.println("nodes up: " + nodes.size());

            List<DaemonProcess> daemons = new ArrayList<>();
            List<NodeProcess> bootstrapOf = new ArrayList<>();
            for (int i = 0; i < users; i++) {
                NodeProcess bootstrap = nodes.get(random.nextInt(nodes.size()));
                bootstrapOf.add(bootstrap);
                daemons.add(cluster.startDaemon("user" + i, "laptop", List.of(bootstrap), "upload", null));
            }
            Logins first = logins(daemons);
            out.printf("first start: login p50 %.1f ms p99 %.1f ms, first reached another node: %d of %d%n",
                    first.p50(), first.p99(), first.movedAway(), users);
            for (DaemonProcess d : daemons) {
                d.process().close();
            }
            List<DaemonProcess> restarted = new ArrayList<>();
            for (int i = 0; i < users; i++) {
                restarted.add(cluster.startDaemon("user" + i, "laptop", List.of(bootstrapOf.get(i)), "upload", null));
            }
            Logins restart = logins(restarted);
            out.printf("restart:     login p50 %.1f ms p99 %.1f ms, first reached another node: %d of %d%n",
                    restart.p50(), restart.p99(), restart.movedAway(), users);
            for (DaemonProcess d : restarted) {
                d.process().close();
            }

            DaemonProcess alice = cluster.startDaemon("alice", "laptop", nodes, "upload", null);
            String aliceNode = alice.awaitLogin(LOGIN_TIMEOUT);
            DaemonProcess bob = null;
            for (int attempt = 1; attempt <= 8; attempt++) {
                bob = cluster.startDaemon("bob", "phone", nodes, "upload", null);
                if (kademliaNodes == 0 || !bob.awaitLogin(LOGIN_TIMEOUT).equals(aliceNode)) {
                    break;
                }
                bob.process().close();
                LocalCluster.deleteTree(dir.resolve("bob"));
            }
            alice.writeFriends(Map.of(bob.userId(), "Bob"));
            bob.writeFriends(Map.of(alice.userId(), "Alice"));
            UserId bobId = UserId.parse(bob.userId());
            ConcurrentLinkedQueue<PeerConnection> accepted = new ConcurrentLinkedQueue<>();
            ClientOptions options = ClientOptions.defaults().withMaxPending(4096).withConnectTimeout(Duration.ofSeconds(60));
            try (GcsClient bobApp = GcsClient.connect(new InetSocketAddress("127.0.0.1", bob.apiPort()), options.withStateDir(bob.stateDir()));
                 Listener listener = bobApp.listen(APP, request -> IncomingDecision.accept(accepted::add));
                 GcsClient aliceApp = GcsClient.connect(new InetSocketAddress("127.0.0.1", alice.apiPort()), options.withStateDir(alice.stateDir()))) {
                ConnectBench.awaitVisible(aliceApp, bobId);
                sequential(aliceApp, bobId, 5, accepted);
                Latencies sequential = sequential(aliceApp, bobId, connects, accepted);
                out.printf("sequential connects: p50 %.1f ms p99 %.1f ms (%d failed)%n", sequential.p50(),
                        sequential.p99(), sequential.failed());
                ConnectBench.Result round = ConnectBench.round(aliceApp, bobId, concurrent, accepted);
                out.printf("%d concurrent connects: p50 %.1f ms p99 %.1f ms wall %.1f ms (%d failed)%n", concurrent,
                        round.p50Ms(), round.p99Ms(), round.wallMs(), round.failed());
                Latencies killed = kills == 0 ? null : kills(cluster, kad, alice, bob, aliceApp, bobId, kills, accepted);
                return new Result(name, first, restart, sequential, round, killed);
            }
        }
    }

    /** Login latency from each daemon's log: its first "connecting to node" to its "logged in to node". */
    private Logins logins(List<DaemonProcess> daemons) throws InterruptedException {
        List<Long> millis = new ArrayList<>();
        int moved = 0;
        for (DaemonProcess d : daemons) {
            d.awaitLogin(LOGIN_TIMEOUT);
            String log = d.process().log();
            Matcher connecting = CONNECTING.matcher(log);
            Matcher loggedIn = LOGGED_IN.matcher(log);
            if (!connecting.find() || !loggedIn.find()) {
                throw new IllegalStateException(d.process().name() + ": no connect or login line in its log");
            }
            long ms = Duration.between(LocalTime.parse(connecting.group(1)), LocalTime.parse(loggedIn.group(1))).toMillis();
            millis.add(ms);
            if (!connecting.group(2).equals(loggedIn.group(2))) {
                moved++;
            }
        }
        return new Logins(millis, moved);
    }

    private static Latencies sequential(GcsClient app, UserId bob, int count, ConcurrentLinkedQueue<PeerConnection> accepted)
            throws InterruptedException {
        List<Long> nanos = new ArrayList<>();
        int failed = 0;
        for (int i = 0; i < count; i++) {
            long start = System.nanoTime();
            try {
                PeerConnection c = app.open(bob, DeviceId.of("phone"), APP).get(60, TimeUnit.SECONDS);
                nanos.add(System.nanoTime() - start);
                c.close();
            } catch (Exception e) {
                failed++;
            }
            closeAccepted(accepted);
        }
        return new Latencies(nanos, failed);
    }

    /**
     * Kills the node Bob is attached to, measures until Alice's next connect to him succeeds (a connect tried every
     * 100 ms, each allowed 10 s), then restarts the node and waits until it has rejoined.
     */
    private Latencies kills(LocalCluster cluster, List<KademliaNodeProcess> nodes, DaemonProcess alice, DaemonProcess bob,
            GcsClient aliceApp, UserId bobId, int kills, ConcurrentLinkedQueue<PeerConnection> accepted) throws Exception {
        List<Long> nanos = new ArrayList<>();
        int failed = 0;
        for (int k = 0; k < kills; k++) {
            String bobNode = bob.loggedInNode();
            int index = -1;
            for (int i = 0; i < nodes.size(); i++) {
                if (nodes.get(i).nodeId().equals(bobNode)) {
                    index = i;
                }
            }
            KademliaNodeProcess victim = nodes.get(index);
            boolean aliceThere = bobNode.equals(alice.loggedInNode());
            victim.process().kill();
            long killed = System.nanoTime();
            long deadline = killed + CALLABLE_TIMEOUT.toNanos();
            Long took = null;
            while (took == null && System.nanoTime() < deadline) {
                try {
                    PeerConnection c = aliceApp.open(bobId, DeviceId.of("phone"), APP).get(10, TimeUnit.SECONDS);
                    took = System.nanoTime() - killed;
                    c.close();
                } catch (Exception notYet) {
                    Thread.sleep(100);
                }
            }
            closeAccepted(accepted);
            if (took == null) {
                failed++;
            } else {
                nanos.add(took);
            }
            out.printf("kill %d: %s (Bob%s there) -> callable again after %s%n", k + 1, victim.name(),
                    aliceThere ? " and Alice" : "", took == null ? "never (30 s)" : String.format("%.0f ms", took / 1e6));
            nodes.set(index, cluster.restartKademlia(victim));
            awaitContacts(List.of(nodes.get(index)), 1);
            Thread.sleep(500);
        }
        return new Latencies(nanos, failed);
    }

    private static void closeAccepted(ConcurrentLinkedQueue<PeerConnection> accepted) {
        PeerConnection c;
        while ((c = accepted.poll()) != null) {
            c.close();
        }
    }

    private static void awaitContacts(List<KademliaNodeProcess> nodes, int contacts) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        for (KademliaNodeProcess node : nodes) {
            while (node.statusCount("dht.contacts") < contacts) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException(node.name() + " did not join the DHT");
                }
                Thread.sleep(100);
            }
        }
    }

    private static long[] nanos(List<Long> millis) {
        return millis.stream().mapToLong(ms -> ms * 1_000_000L).sorted().toArray();
    }

    private static long[] sorted(List<Long> nanos) {
        return nanos.stream().mapToLong(Long::longValue).sorted().toArray();
    }

    /** The markdown tables for docs/BENCHMARKS.md, ratios against the central deployment of the same run. */
    static String markdown(List<Result> results) throws IOException {
        Result central = results.get(0);
        StringBuilder md = new StringBuilder();
        md.append("| deployment | sequential connect p50 (ms) | p99 (ms) | p50 / central | concurrent round p50 (ms) | p99 (ms) |\n");
        md.append("|---|---:|---:|---:|---:|---:|\n");
        for (Result r : results) {
            md.append(String.format("| %s | %.1f | %.1f | %.2fx | %.1f | %.1f |%n", r.deployment(), r.sequential().p50(),
                    r.sequential().p99(), r.sequential().p50() / central.sequential().p50(),
                    r.concurrent().p50Ms(), r.concurrent().p99Ms()));
        }
        md.append("\n| deployment | first start: login p50 / p99 (ms) | first reached another node | restart: login p50 / p99 (ms) | first reached another node |\n");
        md.append("|---|---:|---:|---:|---:|\n");
        for (Result r : results) {
            md.append(String.format("| %s | %.0f / %.0f | %d of %d | %.0f / %.0f | %d of %d |%n", r.deployment(),
                    r.firstStart().p50(), r.firstStart().p99(), r.firstStart().movedAway(), r.firstStart().millis().size(),
                    r.restart().p50(), r.restart().p99(), r.restart().movedAway(), r.restart().millis().size()));
        }
        md.append("\n| deployment | kills | callable again p50 (ms) | p99 (ms) | max (ms) | never (30 s) |\n");
        md.append("|---|---:|---:|---:|---:|---:|\n");
        for (Result r : results) {
            if (r.killToCallable() != null) {
                long[] s = sorted(r.killToCallable().nanos());
                md.append(String.format("| %s | %d | %.0f | %.0f | %.0f | %d |%n", r.deployment(),
                        s.length + r.killToCallable().failed(), r.killToCallable().p50(), r.killToCallable().p99(),
                        s.length == 0 ? Double.NaN : s[s.length - 1] / 1e6, r.killToCallable().failed()));
            }
        }
        md.append("\nMachine: ").append(ConnectBench.machine()).append('\n');
        return md.toString();
    }
}
