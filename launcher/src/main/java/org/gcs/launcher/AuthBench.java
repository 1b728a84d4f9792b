package org.gcs.launcher;

import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
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
 * Connect time with and without end-to-end mutual authentication, in the same run: one node, Alice and Bob (privacy
 * mode {@code upload}), sequential single connects from Alice's app to Bob's, which accepts everything. Mutual
 * authentication is switched by the friends files ({@code +auth} on both entries), so both configurations use the very
 * same processes; blocks of connects alternate between them so that drift hits both alike.
 */
public final class AuthBench {
    private static final AppId APP = AppId.of("bench");
    private static final long QUIET_MILLIS = 700;

    private final Path workDir;
    private final PrintStream out;

    public AuthBench(Path workDir, PrintStream out) {
        this.workDir = workDir.toAbsolutePath();
        this.out = out;
    }

    /** Latencies of one configuration. */
    public record Result(String name, int ok, int failed, double p50Ms, double p90Ms, double meanMs) {
    }

    /**
     * @param perBlock connects per block
     * @param blocks blocks per configuration (alternating)
     */
    public List<Result> run(int perBlock, int blocks, int warmup) throws Exception {
        LocalCluster.deleteTree(workDir);
        try (LocalCluster cluster = new LocalCluster(workDir, LocalCluster.findAssembly(), null)) {
            NodeProcess node = cluster.startCentral();
            DaemonProcess alice = cluster.startDaemon("alice", "laptop", node, "upload");
            DaemonProcess bob = cluster.startDaemon("bob", "phone", node, "upload");
            UserId bobId = UserId.parse(bob.userId());
            ConcurrentLinkedQueue<PeerConnection> accepted = new ConcurrentLinkedQueue<>();
            ClientOptions options = ClientOptions.defaults().withConnectTimeout(Duration.ofSeconds(60));
            List<Long> plain = new ArrayList<>();
            List<Long> authenticated = new ArrayList<>();
            int[] failed = new int[2];
            friends(alice, bob, false);
            try (GcsClient bobApp = GcsClient.connect(new InetSocketAddress("127.0.0.1", bob.apiPort()), options);
                 Listener listener = bobApp.listen(APP, request -> IncomingDecision.accept(accepted::add));
                 GcsClient aliceApp = GcsClient.connect(new InetSocketAddress("127.0.0.1", alice.apiPort()), options)) {
                ConnectBench.awaitVisible(aliceApp, bobId);
                failed[0] += series(aliceApp, bobId, warmup, accepted, new ArrayList<>());
                for (int b = 0; b < blocks; b++) {
                    for (boolean auth : new boolean[] {false, true}) {
                        friends(alice, bob, auth);
                        failed[auth ? 1 : 0] += series(aliceApp, bobId, perBlock, accepted, auth ? authenticated : plain);
                    }
                }
            }
            List<Result> results = List.of(result("without mutual authentication", plain, failed[0]),
                    result("with mutual authentication", authenticated, failed[1]));
            results.forEach(r -> out.printf("%s: ok=%d failed=%d p50=%.1f ms p90=%.1f ms mean=%.1f ms%n", r.name(), r.ok(),
                    r.failed(), r.p50Ms(), r.p90Ms(), r.meanMs()));
            return results;
        }
    }

    /** Both friends files, with or without {@code +auth}; waits past the daemons' 1 s friends-file poll. */
    private static void friends(DaemonProcess alice, DaemonProcess bob, boolean auth) throws Exception {
        String option = auth ? "+auth " : "";
        alice.writeFriends(Map.of(bob.userId(), option + "Bob"));
        bob.writeFriends(Map.of(alice.userId(), option + "Alice"));
        Thread.sleep(2500);
    }

    private static int series(GcsClient app, UserId bob, int n, ConcurrentLinkedQueue<PeerConnection> accepted,
            List<Long> latencies) throws InterruptedException {
        int failed = 0;
        for (int i = 0; i < n; i++) {
            long start = System.nanoTime();
            try {
                PeerConnection c = app.open(bob, DeviceId.of("phone"), APP).get(60, TimeUnit.SECONDS);
                latencies.add(System.nanoTime() - start);
                if (System.getProperty("gcs.bench.trace") != null) {
                    System.out.println("trace " + java.time.LocalTime.now() + " " + c + " " + (System.nanoTime() - start) / 1000 + " us");
                }
                c.close();
            } catch (Exception e) {
                failed++;
            }
            Thread.sleep(100);
            PeerConnection c;
            while ((c = accepted.poll()) != null) {
                c.close();
            }
            // let both daemons finish closing this channel (QUIC close, ICE agent release) so that each connect is
            // measured alone rather than overlapping the previous channel's teardown
            Thread.sleep(QUIET_MILLIS);
        }
        return failed;
    }

    private static Result result(String name, List<Long> latencies, int failed) {
        long[] sorted = latencies.stream().mapToLong(Long::longValue).sorted().toArray();
        double mean = latencies.stream().mapToLong(Long::longValue).average().orElse(Double.NaN) / 1e6;
        return new Result(name, sorted.length, failed, ConnectBench.percentile(sorted, 50),
                ConnectBench.percentile(sorted, 90), mean);
    }

    /** The markdown table for docs/BENCHMARKS.md. */
    static String markdown(List<Result> results) {
        StringBuilder s = new StringBuilder("| configuration | ok | failed | p50 (ms) | p90 (ms) | mean (ms) |\n|---|---:|---:|---:|---:|---:|\n");
        for (Result r : results) {
            s.append(String.format("| %s | %d | %d | %.1f | %.1f | %.1f |%n", r.name(), r.ok(), r.failed(), r.p50Ms(),
                    r.p90Ms(), r.meanMs()));
        }
        return s.toString();
    }
}
