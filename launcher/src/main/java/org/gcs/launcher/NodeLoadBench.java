package org.gcs.launcher;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.gcs.api.NodeId;

/**
 * The node at scale (issue 13), measured with {@link NodeLoad} against a real {@code central.jar} on loopback:
 * <ul>
 * <li>logins per second: {@code logins} logins, {@code inFlight} at a time, each a new TLS connection closed after
 * {@code Welcome}; reported with the node's own CPU time per login (from {@code /proc}), which says what the node
 * could do on its two cores without the load generator beside it;</li>
 * <li>idle daemons: {@code idle} logged-in daemons held open with a ping every 20 s; the node's heap after a full
 * collection (jcmd) against its heap before they came, per daemon, and its descriptors and resident memory.</li>
 * </ul>
 * Every loop is bounded in count and time. Holding many connections needs a raised descriptor limit in the shell that
 * starts it ({@code ulimit -n}); the node's heap is set by {@code heapMiB}, further node JVM options by the system
 * property {@code gcs.node.jvm} (space-separated; a flight recording, say).
 */
public final class NodeLoadBench {
    private final Path workDir;
    private final PrintStream out;

    public NodeLoadBench(Path workDir, PrintStream out) {
        this.workDir = workDir.toAbsolutePath();
        this.out = out;
    }

    /** A login run: how many, how many failed, the wall time, and the node's CPU time. */
    public record Logins(int count, int failed, double seconds, double nodeCpuSeconds, long medianMicros, long p99Micros) {
        double perSecond() {
            return (count - failed) / seconds;
        }

        double nodeCpuMsPerLogin() {
            return nodeCpuSeconds * 1000 / Math.max(1, count - failed);
        }
    }

    /** An idle run: held, lost by the end, the node's heap before and with them (KiB), its descriptors and RSS. */
    public record Idle(int held, int lost, long heapBeforeKiB, long heapHeldKiB, int descriptors, long rssKiB,
            double seconds) {
        double heapPerDaemonKiB() {
            return (heapHeldKiB - heapBeforeKiB) / (double) Math.max(1, held);
        }
    }

    public record Result(Logins logins, Idle idle, int heapMiB) {
    }

    public Result run(int logins, int inFlight, int idle, int heapMiB, int holdSeconds) throws Exception {
        LocalCluster.deleteTree(workDir);
        try (LocalCluster cluster = new LocalCluster(workDir, LocalCluster.findAssembly(), null)) {
            List<String> jvm = new ArrayList<>(List.of("-Xmx" + heapMiB + "m", "-Xms" + heapMiB + "m"));
            String extra = System.getProperty("gcs.node.jvm", "").trim(); // e.g. a flight recording of the node
            if (!extra.isEmpty()) {
                jvm.addAll(List.of(extra.split("\\s+")));
            }
            NodeProcess node = cluster.startCentral(List.of(), Map.of("limit.connections.per.address", "10000000",
                    "limit.frames.per.second", "100000"), jvm);
            long pid = node.process().pid();
            int sources = Math.max(1, idle / 20_000 + 1);
            try (NodeLoad load = new NodeLoad(new java.net.InetSocketAddress(node.host(), node.tlsPort()),
                    NodeId.fromHex(node.nodeId()), 2, NodeLoad.loopbackSources(sources))) {
                List<NodeLoad.User> users = new ArrayList<>();
                for (int i = 0; i < 256; i++) {
                    users.add(NodeLoad.User.fresh());
                }
                loginRun(load, users, Math.min(logins, 500), inFlight, pid); // warm-up
                Logins measured = loginRun(load, users, logins, inFlight, pid);
                out.printf("logins: %d (%d failed) in %.1f s: %.0f/s; node CPU %.2f ms per login; median %d us, p99 %d us%n",
                        measured.count(), measured.failed(), measured.seconds(), measured.perSecond(),
                        measured.nodeCpuMsPerLogin(), measured.medianMicros(), measured.p99Micros());
                Idle held = idleRun(load, idle, inFlight, pid, holdSeconds);
                out.printf("idle: %d held (%d lost) for %.0f s; node heap %d -> %d KiB (%.1f KiB per daemon), %d descriptors,"
                        + " RSS %d KiB%n", held.held(), held.lost(), held.seconds(), held.heapBeforeKiB(),
                        held.heapHeldKiB(), held.heapPerDaemonKiB(), held.descriptors(), held.rssKiB());
                return new Result(measured, held, heapMiB);
            }
        }
    }

    private static Logins loginRun(NodeLoad load, List<NodeLoad.User> users, int count, int inFlight, long pid)
            throws Exception {
        Semaphore slots = new Semaphore(inFlight);
        AtomicInteger failed = new AtomicInteger();
        long[] micros = new long[count];
        double cpuBefore = cpuSeconds(pid);
        long t0 = System.nanoTime();
        List<CompletableFuture<?>> all = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            if (!slots.tryAcquire(60, TimeUnit.SECONDS)) {
                throw new IllegalStateException("logins stalled");
            }
            int n = i;
            all.add(load.login(users.get(i % users.size()), "d" + (i % 1000)).whenComplete((s, e) -> {
                slots.release();
                if (e != null) {
                    failed.incrementAndGet();
                    micros[n] = -1;
                } else {
                    micros[n] = s.loginNanos() / 1000;
                    s.close();
                }
            }));
        }
        CompletableFuture.allOf(all.toArray(new CompletableFuture<?>[0])).handle((v, e) -> null).get(5, TimeUnit.MINUTES);
        double seconds = (System.nanoTime() - t0) / 1e9;
        double cpu = cpuSeconds(pid) - cpuBefore;
        long[] ok = Arrays.stream(micros).filter(m -> m >= 0).sorted().toArray();
        return new Logins(count, failed.get(), seconds, cpu, ok.length == 0 ? -1 : ok[ok.length / 2],
                ok.length == 0 ? -1 : ok[Math.min(ok.length - 1, (int) (ok.length * 0.99))]);
    }

    private Idle idleRun(NodeLoad load, int count, int inFlight, long pid, int holdSeconds) throws Exception {
        Thread.sleep(2000); // the login run's sessions end
        long before = SoakBench.Usage.heapAfterGc(pid);
        List<NodeLoad.Session> sessions = java.util.Collections.synchronizedList(new ArrayList<>());
        Semaphore slots = new Semaphore(inFlight);
        AtomicInteger failed = new AtomicInteger();
        long t0 = System.nanoTime();
        List<CompletableFuture<?>> all = new ArrayList<>();
        int perUser = 16; // under the node's 32 devices per user
        NodeLoad.User user = null;
        for (int i = 0; i < count; i++) {
            if (i % perUser == 0) {
                user = NodeLoad.User.fresh();
            }
            if (!slots.tryAcquire(60, TimeUnit.SECONDS)) {
                throw new IllegalStateException("logins stalled at " + i);
            }
            all.add(load.login(user, "idle-" + (i % perUser)).whenComplete((s, e) -> {
                slots.release();
                if (e != null) {
                    failed.incrementAndGet();
                } else {
                    s.keepAlive();
                    sessions.add(s);
                }
            }));
            if (i > 0 && i % 10_000 == 0) {
                out.println("  " + i + " held ...");
            }
        }
        CompletableFuture.allOf(all.toArray(new CompletableFuture<?>[0])).handle((v, e) -> null).get(10, TimeUnit.MINUTES);
        double seconds = (System.nanoTime() - t0) / 1e9;
        Thread.sleep(holdSeconds * 1000L); // pings flow meanwhile
        SoakBench.Usage usage = SoakBench.Usage.of(pid);
        int lost = (int) sessions.stream().filter(s -> !s.isOpen()).count() + failed.get();
        Idle result = new Idle(sessions.size(), lost, before, usage.heapKiB(), usage.descriptors(), usage.rssKiB(), seconds);
        synchronized (sessions) {
            sessions.forEach(NodeLoad.Session::close);
        }
        return result;
    }

    /** The user and system CPU time of process {@code pid} so far, in seconds ({@code /proc/<pid>/stat}). */
    static double cpuSeconds(long pid) throws IOException {
        String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        long ticks = Long.parseLong(f[11]) + Long.parseLong(f[12]); // utime, stime (fields 14 and 15)
        return ticks / 100.0;
    }

    /** The results as BENCHMARKS.md rows. */
    public static String markdown(Result r) {
        return String.format("| logins/s (%d, %d failed) | node CPU per login | median / p99 login | idle daemons held (lost) "
                + "| node heap per idle daemon | descriptors | node RSS |%n|---:|---:|---:|---:|---:|---:|---:|%n"
                + "| %.0f | %.2f ms | %.1f / %.1f ms | %d (%d) | %.1f KiB | %d | %d MiB |%n",
                r.logins().count(), r.logins().failed(), r.logins().perSecond(), r.logins().nodeCpuMsPerLogin(),
                r.logins().medianMicros() / 1000.0, r.logins().p99Micros() / 1000.0, r.idle().held(), r.idle().lost(),
                r.idle().heapPerDaemonKiB(), r.idle().descriptors(), r.idle().rssKiB() / 1024);
    }
}
