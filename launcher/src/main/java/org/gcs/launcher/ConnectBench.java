package org.gcs.launcher;

import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
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
 * Benchmark of N concurrent connects as an application sees them: Alice's app calls {@code open} N times at once to
 * Bob's app, which accepts all; each latency runs from the call to the pipe being open (node relay, callee decision,
 * ICE, QUIC handshake). Every run is bounded: a connect that does not finish within the client's open timeout counts
 * as failed.
 */
public final class ConnectBench {
    private static final AppId APP = AppId.of("bench");

    private final Path workDir;
    private final PrintStream out;

    public ConnectBench(Path workDir, PrintStream out) {
        this.workDir = workDir.toAbsolutePath();
        this.out = out;
    }

    /** One measured round. */
    public record Result(int n, int ok, int failed, double p50Ms, double p99Ms, double maxMs, double wallMs, String firstFailure) {
    }

    public List<Result> run(int[] sizes, int warmup) throws Exception {
        LocalCluster.deleteTree(workDir);
        List<Result> results = new ArrayList<>();
        try (LocalCluster cluster = new LocalCluster(workDir, LocalCluster.findAssembly(), null)) {
            // the bench is one user making hundreds of connects at once: lift the per-user limits a real node keeps
            LocalCluster.AliceAndBob pair = cluster.startAliceAndBob(Map.of(
                    "limit.connects.burst", "100000", "limit.connects.per.second", "100000",
                    "limit.connects.in.flight.per.user", "100000", "limit.connects.in.flight.per.device", "100000",
                    "limit.frames.burst", "1000000", "limit.frames.per.second", "1000000"));
            DaemonProcess alice = pair.alice();
            DaemonProcess bob = pair.bob();
            UserId bobId = UserId.parse(bob.userId());
            ConcurrentLinkedQueue<PeerConnection> accepted = new ConcurrentLinkedQueue<>();
            ClientOptions options = ClientOptions.defaults().withMaxPending(4096)
                    .withConnectTimeout(java.time.Duration.ofSeconds(60));
            try (GcsClient bobApp = GcsClient.connect(new InetSocketAddress("127.0.0.1", bob.apiPort()), options.withStateDir(bob.stateDir()));
                 Listener listener = bobApp.listen(APP, request -> IncomingDecision.accept(accepted::add));
                 GcsClient aliceApp = GcsClient.connect(new InetSocketAddress("127.0.0.1", alice.apiPort()), options.withStateDir(alice.stateDir()))) {
                awaitVisible(aliceApp, bobId);
                round(aliceApp, bobId, warmup, accepted);
                for (int n : sizes) {
                    Result r = round(aliceApp, bobId, n, accepted);
                    out.printf("N=%d ok=%d failed=%d p50=%.1f ms p99=%.1f ms max=%.1f ms wall=%.1f ms%s%n", r.n(), r.ok(),
                            r.failed(), r.p50Ms(), r.p99Ms(), r.maxMs(), r.wallMs(),
                            r.firstFailure() == null ? "" : " first failure: " + r.firstFailure());
                    results.add(r);
                }
            }
        }
        return results;
    }

    static Result round(GcsClient app, UserId bob, int n, ConcurrentLinkedQueue<PeerConnection> accepted)
            throws InterruptedException {
        return measure(n, () -> app.open(bob, DeviceId.of("phone"), APP), accepted);
    }

    /**
     * Starts {@code n} connects at once with {@code open}, waits for each (at most 120 s), closes what opened and what
     * the callee accepted; the latencies run from each call to its open connection.
     */
    static Result measure(int n, java.util.function.Supplier<? extends CompletableFuture<? extends AutoCloseable>> open,
            java.util.Queue<? extends AutoCloseable> accepted) throws InterruptedException {
        long[] latency = new long[n];
        List<CompletableFuture<? extends AutoCloseable>> opens = new ArrayList<>(n);
        long wallStart = System.nanoTime();
        for (int i = 0; i < n; i++) {
            long start = System.nanoTime();
            int index = i;
            opens.add(open.get().whenComplete((c, e) -> latency[index] = System.nanoTime() - start));
        }
        int ok = 0;
        String firstFailure = null;
        List<Long> okLatencies = new ArrayList<>();
        List<AutoCloseable> opened = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            try {
                opened.add(opens.get(i).get(120, TimeUnit.SECONDS));
                ok++;
                okLatencies.add(latency[i]);
            } catch (Exception e) {
                if (firstFailure == null) {
                    firstFailure = String.valueOf(e.getCause() != null ? e.getCause() : e);
                }
            }
        }
        long wall = System.nanoTime() - wallStart;
        Thread.sleep(200);
        AutoCloseable c;
        while ((c = accepted.poll()) != null) {
            opened.add(c);
        }
        closeAll(opened); // after the clock stopped: a channel's close may linger (QUIC draining)
        long[] sorted = okLatencies.stream().mapToLong(Long::longValue).sorted().toArray();
        return new Result(n, ok, n - ok, percentile(sorted, 50), percentile(sorted, 99),
                sorted.length == 0 ? Double.NaN : sorted[sorted.length - 1] / 1e6, wall / 1e6, firstFailure);
    }

    /** Closes {@code all} on up to 32 threads at once and waits (at most 60 s) until each close returned. */
    static void closeAll(List<AutoCloseable> all) throws InterruptedException {
        java.util.concurrent.ExecutorService closers = java.util.concurrent.Executors.newFixedThreadPool(32);
        for (AutoCloseable each : all) {
            closers.execute(() -> {
                try {
                    each.close();
                } catch (Exception ignored) {
                    // already closed by the other end
                }
            });
        }
        closers.shutdown();
        closers.awaitTermination(60, TimeUnit.SECONDS);
    }

    /** Nearest-rank percentile in milliseconds. */
    static double percentile(long[] sortedNanos, int p) {
        if (sortedNanos.length == 0) {
            return Double.NaN;
        }
        int rank = (int) Math.ceil(p / 100.0 * sortedNanos.length);
        return sortedNanos[Math.max(0, Math.min(sortedNanos.length - 1, rank - 1))] / 1e6;
    }

    /** Waits (at most 30 s) until {@code bob}'s devices are visible to the app: friends lists have reached the node. */
    static void awaitVisible(GcsClient app, UserId bob) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline) {
            try {
                if (!app.availableDevices(bob).get(10, TimeUnit.SECONDS).isEmpty()) {
                    return;
                }
            } catch (Exception notYet) {
                // friends lists still travelling
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException("Bob never became visible to Alice");
    }

    /** The markdown table for docs/BENCHMARKS.md, with the machine it ran on. */
    static String markdown(List<Result> results) throws IOException {
        StringBuilder md = new StringBuilder();
        md.append("| N concurrent connects | ok | failed | p50 (ms) | p99 (ms) | max (ms) | wall (ms) |\n");
        md.append("|---:|---:|---:|---:|---:|---:|---:|\n");
        for (Result r : results) {
            md.append(String.format("| %d | %d | %d | %.1f | %.1f | %.1f | %.1f |%n", r.n(), r.ok(), r.failed(), r.p50Ms(),
                    r.p99Ms(), r.maxMs(), r.wallMs()));
        }
        md.append("\nMachine: ").append(machine()).append('\n');
        return md.toString();
    }

    static String machine() throws IOException {
        String cpu = "unknown CPU";
        Path cpuinfo = Path.of("/proc/cpuinfo");
        if (Files.isReadable(cpuinfo)) {
            cpu = Files.readAllLines(cpuinfo).stream().filter(l -> l.startsWith("model name")).findFirst()
                    .map(l -> l.substring(l.indexOf(':') + 1).trim()).orElse(cpu);
        }
        long memGiB = 0;
        Path meminfo = Path.of("/proc/meminfo");
        if (Files.isReadable(meminfo)) {
            memGiB = Files.readAllLines(meminfo).stream().filter(l -> l.startsWith("MemTotal")).findFirst()
                    .map(l -> Long.parseLong(l.replaceAll("\\D", "")) / (1024 * 1024)).orElse(0L);
        }
        return Runtime.getRuntime().availableProcessors() + " cores (" + cpu + "), " + memGiB + " GiB, Java "
                + System.getProperty("java.version") + ", " + System.getProperty("os.name") + " " + System.getProperty("os.version");
    }

    static int[] parseSizes(String[] args, int from) {
        if (args.length <= from) {
            return new int[] {10, 100, 500};
        }
        return Arrays.stream(args, from, args.length).mapToInt(Integer::parseInt).toArray();
    }
}
