package org.gcs.launcher;

import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import org.gcs.api.AppId;
import org.gcs.api.DeviceId;
import org.gcs.api.UserId;
import org.gcs.client.ClientOptions;
import org.gcs.client.GcsClient;
import org.gcs.client.IncomingDecision;
import org.gcs.client.Listener;
import org.gcs.client.PeerConnection;

/**
 * Connect time with and without end-to-end mutual authentication, in the same run, as pairs of connects: one node, Bob
 * (the callee, whose app accepts everything) and two callers, Alice and Carol, all in privacy mode {@code upload}. One
 * caller's friends entry for Bob (and Bob's for her) carries {@code +auth}, the other's does not; each pair is one
 * connect of each, in alternating order, to the same Bob process. Halfway the two callers swap roles, so that each
 * caller process serves both configurations equally. Connects are sequential; after both ends closed the pipe the bench
 * waits {@code quietMillis} (default {@value #QUIET_MILLIS} ms, so that every connect is measured alone; shorter waits
 * let a connect overlap the previous channel's tear-down).
 *
 * <p>Reported: per configuration the median, 90th percentile and mean; the difference of the medians with a 95 %
 * percentile-bootstrap interval (resampling the pairs); and the median of the per-pair differences.
 */
public final class AuthBench {
    private static final AppId APP = AppId.of("bench");
    private static final DeviceId BOB_DEVICE = DeviceId.of("phone");
    static final long QUIET_MILLIS = 500;
    private static final int BOOTSTRAP_ROUNDS = 5000;

    private final Path workDir;
    private final PrintStream out;
    private final long quietMillis;

    public AuthBench(Path workDir, PrintStream out, long quietMillis) {
        this.workDir = workDir.toAbsolutePath();
        this.out = out;
        this.quietMillis = quietMillis;
    }

    /** Latencies of one configuration. */
    public record Result(String name, int ok, int failed, double p50Ms, double p90Ms, double meanMs) {
    }

    /**
     * The comparison.
     *
     * @param plain without mutual authentication
     * @param authenticated with it
     * @param medianDifferenceMs median(authenticated) - median(plain)
     * @param lowMs lower end of its 95 % bootstrap interval
     * @param highMs upper end
     * @param pairedMedianMs median over the pairs of (authenticated - plain)
     */
    public record Comparison(Result plain, Result authenticated, double medianDifferenceMs, double lowMs, double highMs,
                             double pairedMedianMs) {
    }

    /**
     * @param pairs pairs of connects (one of each configuration), half of them before the callers swap roles
     * @param warmup unmeasured connects per caller first
     */
    public Comparison run(int pairs, int warmup) throws Exception {
        LocalCluster.deleteTree(workDir);
        try (LocalCluster cluster = new LocalCluster(workDir, LocalCluster.findAssembly(), null)) {
            NodeProcess node = cluster.startCentral();
            DaemonProcess bob = cluster.startDaemon("bob", BOB_DEVICE.name(), node, "upload");
            DaemonProcess alice = cluster.startDaemon("alice", "laptop", node, "upload");
            DaemonProcess carol = cluster.startDaemon("carol", "tablet", node, "upload");
            UserId bobId = UserId.parse(bob.userId());
            ConcurrentLinkedQueue<PeerConnection> accepted = new ConcurrentLinkedQueue<>();
            ClientOptions options = ClientOptions.defaults().withConnectTimeout(Duration.ofSeconds(60));
            List<Long> plain = new ArrayList<>();
            List<Long> authenticated = new ArrayList<>();
            int[] failed = new int[2];
            try (GcsClient bobApp = GcsClient.connect(new InetSocketAddress("127.0.0.1", bob.apiPort()), options.withStateDir(bob.stateDir()));
                 Listener listener = bobApp.listen(APP, request -> IncomingDecision.accept(accepted::add));
                 GcsClient aliceApp = GcsClient.connect(new InetSocketAddress("127.0.0.1", alice.apiPort()), options.withStateDir(alice.stateDir()));
                 GcsClient carolApp = GcsClient.connect(new InetSocketAddress("127.0.0.1", carol.apiPort()), options.withStateDir(carol.stateDir()))) {
                for (int half = 0; half < 2; half++) {
                    boolean aliceAuthenticates = half == 0;
                    friends(bob, alice, carol, aliceAuthenticates);
                    ConnectBench.awaitVisible(aliceApp, bobId);
                    ConnectBench.awaitVisible(carolApp, bobId);
                    GcsClient authApp = aliceAuthenticates ? aliceApp : carolApp;
                    GcsClient plainApp = aliceAuthenticates ? carolApp : aliceApp;
                    for (int i = 0; i < warmup; i++) {
                        connect(authApp, bobId, accepted);
                        connect(plainApp, bobId, accepted);
                    }
                    int n = half == 0 ? pairs / 2 : pairs - pairs / 2;
                    for (int i = 0; i < n; i++) {
                        boolean authFirst = i % 2 == 1;
                        long a = 0;
                        long p;
                        if (authFirst) {
                            a = connect(authApp, bobId, accepted);
                        }
                        p = connect(plainApp, bobId, accepted);
                        if (!authFirst) {
                            a = connect(authApp, bobId, accepted);
                        }
                        if (a < 0 || p < 0) {
                            failed[0] += p < 0 ? 1 : 0;
                            failed[1] += a < 0 ? 1 : 0;
                            continue; // a pair counts only when both connects succeeded
                        }
                        plain.add(p);
                        authenticated.add(a);
                    }
                }
            }
            Comparison c = compare(plain, authenticated, failed);
            out.printf("without: p50=%.1f ms, with: p50=%.1f ms, difference of medians %.1f ms [%.1f, %.1f], paired median %.1f ms%n",
                    c.plain().p50Ms(), c.authenticated().p50Ms(), c.medianDifferenceMs(), c.lowMs(), c.highMs(),
                    c.pairedMedianMs());
            return c;
        }
    }

    /**
     * Friends files: Bob lists both callers, each caller lists Bob; the authenticating caller's entries carry
     * {@code +auth}. Waits past the daemons' 1 s friends-file poll.
     */
    private static void friends(DaemonProcess bob, DaemonProcess alice, DaemonProcess carol, boolean aliceAuthenticates)
            throws Exception {
        String aliceOption = aliceAuthenticates ? "+auth " : "";
        String carolOption = aliceAuthenticates ? "" : "+auth ";
        bob.writeFriends(Map.of(alice.userId(), aliceOption + "Alice", carol.userId(), carolOption + "Carol"));
        alice.writeFriends(Map.of(bob.userId(), aliceOption + "Bob"));
        carol.writeFriends(Map.of(bob.userId(), carolOption + "Bob"));
        Thread.sleep(2500);
    }

    /** One connect and its tear-down; the latency in nanoseconds, or -1 if it failed. */
    private long connect(GcsClient app, UserId bob, ConcurrentLinkedQueue<PeerConnection> accepted)
            throws InterruptedException {
        long latency;
        long start = System.nanoTime();
        try {
            PeerConnection c = app.open(bob, BOB_DEVICE, APP).get(60, TimeUnit.SECONDS);
            latency = System.nanoTime() - start;
            c.close();
        } catch (Exception e) {
            latency = -1;
        }
        Thread.sleep(100);
        PeerConnection c;
        while ((c = accepted.poll()) != null) {
            c.close();
        }
        // let both daemons finish closing this channel (QUIC close, ICE agent release)
        Thread.sleep(quietMillis);
        return latency;
    }

    static Comparison compare(List<Long> plain, List<Long> authenticated, int[] failed) {
        long[] p = plain.stream().mapToLong(Long::longValue).toArray();
        long[] a = authenticated.stream().mapToLong(Long::longValue).toArray();
        double difference = median(a) - median(p);
        double[] boot = new double[BOOTSTRAP_ROUNDS];
        SplittableRandom random = new SplittableRandom(4);
        long[] rp = new long[p.length];
        long[] ra = new long[a.length];
        for (int b = 0; b < BOOTSTRAP_ROUNDS; b++) {
            for (int i = 0; i < p.length; i++) {
                int k = random.nextInt(p.length); // resample pairs, keeping each pair together
                rp[i] = p[k];
                ra[i] = a[k];
            }
            boot[b] = median(ra) - median(rp);
        }
        Arrays.sort(boot);
        long[] paired = new long[p.length];
        for (int i = 0; i < p.length; i++) {
            paired[i] = a[i] - p[i];
        }
        return new Comparison(result("without mutual authentication", p, failed[0]),
                result("with mutual authentication", a, failed[1]), difference,
                p.length == 0 ? Double.NaN : boot[(int) (0.025 * BOOTSTRAP_ROUNDS)],
                p.length == 0 ? Double.NaN : boot[(int) (0.975 * BOOTSTRAP_ROUNDS) - 1], median(paired));
    }

    /** Median in milliseconds of nanosecond values. */
    private static double median(long[] nanos) {
        if (nanos.length == 0) {
            return Double.NaN;
        }
        long[] s = nanos.clone();
        Arrays.sort(s);
        int m = s.length / 2;
        return (s.length % 2 == 1 ? s[m] : (s[m - 1] + s[m]) / 2.0) / 1e6;
    }

    private static Result result(String name, long[] nanos, int failed) {
        long[] sorted = nanos.clone();
        Arrays.sort(sorted);
        double mean = Arrays.stream(nanos).average().orElse(Double.NaN) / 1e6;
        return new Result(name, sorted.length, failed, median(sorted), ConnectBench.percentile(sorted, 90), mean);
    }

    /** The markdown table for docs/BENCHMARKS.md. */
    static String markdown(Comparison c) {
        StringBuilder s = new StringBuilder("| configuration | ok | failed | p50 (ms) | p90 (ms) | mean (ms) |\n|---|---:|---:|---:|---:|---:|\n");
        for (Result r : List.of(c.plain(), c.authenticated())) {
            s.append(String.format("| %s | %d | %d | %.1f | %.1f | %.1f |%n", r.name(), r.ok(), r.failed(), r.p50Ms(),
                    r.p90Ms(), r.meanMs()));
        }
        s.append(String.format("%nDifference of the medians: %+.1f ms (95 %% bootstrap interval %+.1f to %+.1f ms); "
                + "median of the per-pair differences: %+.1f ms.%n", c.medianDifferenceMs(), c.lowMs(), c.highMs(),
                c.pairedMedianMs()));
        return s.toString();
    }
}
