package org.gcs.launcher;

import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.gcs.api.AppId;
import org.gcs.api.DeviceId;
import org.gcs.api.UserId;
import org.gcs.client.ClientOptions;
import org.gcs.client.GcsClient;
import org.gcs.client.IncomingDecision;
import org.gcs.client.Listener;
import org.gcs.client.PeerConnection;

/**
 * Soak benchmark (issue 11): a central node and two daemons in their own processes; Alice's app connects to Bob's app
 * over and over for a fixed time, {@code parallel} connects at a time, each moving a few bytes and closing, and every
 * fifth abandoned by the caller within 60 ms of asking. Every {@code sampleSeconds} the daemons' and the node's open
 * descriptors, sockets and threads are read from {@code /proc}, and then their heap in use after a full collection
 * ({@code jcmd}): a resource that grows with the number of connects is a leak. The first sample, after a warm-up, is the baseline each later one is compared with. Bounded by
 * its duration and by each connect's timeout.
 */
public final class SoakBench {
    private static final AppId APP = AppId.of("soak");

    private final Path workDir;
    private final PrintStream out;

    public SoakBench(Path workDir, PrintStream out) {
        this.workDir = workDir.toAbsolutePath();
        this.out = out;
    }

    /**
     * One process's resources at one moment; {@code heapKiB} is the heap in use right after a full collection that the
     * sample asks for ({@code jcmd GC.run}, after the descriptors were counted), -1 when {@code jcmd} is not there.
     */
    public record Usage(int descriptors, int sockets, int threads, long rssKiB, long heapKiB) {
        static Usage of(long pid) throws IOException, InterruptedException {
            Path fdDir = Path.of("/proc/" + pid + "/fd");
            int fds = 0;
            int sockets = 0;
            try (Stream<Path> s = Files.list(fdDir)) {
                for (Path fd : (Iterable<Path>) s::iterator) {
                    fds++;
                    try {
                        if (Files.readSymbolicLink(fd).toString().startsWith("socket:")) {
                            sockets++;
                        }
                    } catch (IOException closedMeanwhile) {
                        // closed while listing
                    }
                }
            }
            int threads = 0;
            long rss = 0;
            for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
                if (line.startsWith("Threads:")) {
                    threads = Integer.parseInt(line.substring(8).trim());
                } else if (line.startsWith("VmRSS:")) {
                    rss = Long.parseLong(line.replaceAll("\\D", ""));
                }
            }
            return new Usage(fds, sockets, threads, rss, heapAfterGc(pid));
        }

        /** Heap used after a full collection of process {@code pid}, in KiB; -1 if jcmd fails or is missing. */
        static long heapAfterGc(long pid) throws InterruptedException {
            Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
            if (!Files.isExecutable(jcmd) || run(jcmd, pid, "GC.run") == null) {
                return -1;
            }
            String info = run(jcmd, pid, "GC.heap_info");
            java.util.regex.Matcher m = info == null ? null
                    : java.util.regex.Pattern.compile("total \\d+K, used (\\d+)K").matcher(info);
            return m != null && m.find() ? Long.parseLong(m.group(1)) : -1;
        }

        private static String run(Path jcmd, long pid, String command) throws InterruptedException {
            try {
                Process p = new ProcessBuilder(jcmd.toString(), Long.toString(pid), command).redirectErrorStream(true)
                        .start();
                byte[] out = p.getInputStream().readAllBytes();
                return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0 ? new String(out) : null;
            } catch (IOException e) {
                return null;
            }
        }
    }

    /** One sample: seconds since the start, connects so far, and each process's usage. */
    public record Sample(long seconds, int connects, int failed, Usage alice, Usage bob, Usage node) {
    }

    public List<Sample> run(int minutes, int parallel, int sampleSeconds) throws Exception {
        LocalCluster.deleteTree(workDir);
        List<Sample> samples = new ArrayList<>();
        try (LocalCluster cluster = new LocalCluster(workDir, LocalCluster.findAssembly(), null)) {
            LocalCluster.AliceAndBob pair = cluster.startAliceAndBob(Map.of(
                    "limit.connects.burst", "100000", "limit.connects.per.second", "100000",
                    "limit.frames.burst", "1000000", "limit.frames.per.second", "1000000"));
            NodeProcess node = pair.node();
            DaemonProcess alice = pair.alice();
            DaemonProcess bob = pair.bob();
            UserId bobId = UserId.parse(bob.userId());
            ConcurrentLinkedQueue<PeerConnection> accepted = new ConcurrentLinkedQueue<>();
            ClientOptions options = ClientOptions.defaults().withMaxPending(1024)
                    .withConnectTimeout(java.time.Duration.ofSeconds(30));
            try (GcsClient bobApp = GcsClient.connect(new InetSocketAddress("127.0.0.1", bob.apiPort()),
                         options.withStateDir(bob.stateDir()));
                 Listener listener = bobApp.listen(APP, request -> IncomingDecision.accept(c -> {
                     accepted.add(c);
                     echoAndClose(c);
                 }));
                 GcsClient aliceApp = GcsClient.connect(new InetSocketAddress("127.0.0.1", alice.apiPort()),
                         options.withStateDir(alice.stateDir()))) {
                ConnectBench.awaitVisible(aliceApp, bobId);
                int[] counts = new int[2]; // connects done, failed
                String[] firstFailure = new String[1];
                long start = System.nanoTime();
                long end = start + TimeUnit.MINUTES.toNanos(minutes);
                long nextSample = start + TimeUnit.SECONDS.toNanos(20); // warm-up, then the baseline
                while (true) {
                    long now = System.nanoTime();
                    if (now >= nextSample || now >= end) {
                        Thread.sleep(1000); // the last batch's sessions end
                        Sample s = new Sample(TimeUnit.NANOSECONDS.toSeconds(now - start), counts[0], counts[1],
                                Usage.of(alice.process().pid()), Usage.of(bob.process().pid()),
                                Usage.of(node.process().pid()));
                        samples.add(s);
                        out.printf("t=%ds connects=%d failed=%d alice %s bob %s node %s%n", s.seconds(), s.connects(),
                                s.failed(), s.alice(), s.bob(), s.node());
                        nextSample = System.nanoTime() + TimeUnit.SECONDS.toNanos(sampleSeconds);
                        if (now >= end) {
                            break;
                        }
                    }
                    batch(aliceApp, bobId, parallel, counts, firstFailure);
                    PeerConnection c;
                    while ((c = accepted.poll()) != null) {
                        c.close();
                    }
                }
                if (firstFailure[0] != null) {
                    out.println("first failure: " + firstFailure[0]);
                }
            }
        }
        return samples;
    }

    /** Bob's side: echoes what arrives until Alice closes, then closes (on its own thread, bounded by the pipe's end). */
    private static void echoAndClose(PeerConnection c) {
        Thread t = new Thread(() -> {
            try (c) {
                c.input().transferTo(c.output());
            } catch (IOException endOfPipe) {
                // Alice closed first
            }
        }, "soak-echo");
        t.setDaemon(true);
        t.start();
    }

    private static void batch(GcsClient app, UserId bob, int parallel, int[] counts, String[] firstFailure)
            throws InterruptedException {
        List<CompletableFuture<PeerConnection>> opens = new ArrayList<>();
        List<CompletableFuture<PeerConnection>> abandoned = new ArrayList<>();
        for (int i = 0; i < parallel; i++) {
            CompletableFuture<PeerConnection> open = app.open(bob, DeviceId.of("phone"), APP);
            int k = counts[0] + i;
            if (k % 5 == 4) { // the application hangs up before the answer, at once or while the callee is asked
                CompletableFuture.delayedExecutor(10L * (k % 7), TimeUnit.MILLISECONDS).execute(() -> open.cancel(true));
                abandoned.add(open);
                open.whenComplete((c, e) -> {
                    if (c != null) {
                        c.close();
                    }
                });
                continue;
            }
            opens.add(open);
        }
        for (CompletableFuture<PeerConnection> open : opens) {
            try (PeerConnection c = open.get(40, TimeUnit.SECONDS)) {
                byte[] ping = "soak ping".getBytes();
                c.output().write(ping);
                c.output().flush();
                byte[] back = c.input().readNBytes(ping.length);
                if (!java.util.Arrays.equals(ping, back)) {
                    throw new IOException("echo differs");
                }
            } catch (Exception e) {
                counts[1]++;
                if (firstFailure[0] == null) {
                    firstFailure[0] = String.valueOf(e.getCause() != null ? e.getCause() : e);
                }
            }
        }
        for (CompletableFuture<PeerConnection> open : abandoned) {
            try {
                open.get(40, TimeUnit.SECONDS).close(); // the answer came before the hang-up
            } catch (Exception cancelledOrRefused) {
                // withdrawn, as intended
            }
        }
        counts[0] += parallel;
    }

    /** The markdown table for docs/BENCHMARKS.md: every sample, and its growth over the first (the baseline). */
    static String markdown(List<Sample> samples) throws IOException {
        StringBuilder md = new StringBuilder();
        md.append("| t (s) | connects | failed | Alice fds / sockets / threads / heap MiB | Bob fds / sockets / threads /"
                + " heap MiB | node fds / threads / heap MiB |\n|---:|---:|---:|---|---|---|\n");
        for (Sample s : samples) {
            md.append(String.format("| %d | %d | %d | %s | %s | %d / %d / %s |%n", s.seconds(), s.connects(), s.failed(),
                    cells(s.alice()), cells(s.bob()), s.node().descriptors(), s.node().threads(),
                    mib(s.node().heapKiB())));
        }
        if (samples.size() > 1) {
            Sample first = samples.get(0);
            Sample last = samples.get(samples.size() - 1);
            md.append(String.format("%nFrom the baseline (t = %d s, %d connects) to the end (t = %d s, %d connects): Alice"
                            + " %+d descriptors, %+d threads, heap after GC %.2fx; Bob %+d descriptors, %+d threads, heap"
                            + " after GC %.2fx; node %+d descriptors, heap after GC %.2fx.%n", first.seconds(),
                    first.connects(), last.seconds(), last.connects(),
                    last.alice().descriptors() - first.alice().descriptors(),
                    last.alice().threads() - first.alice().threads(),
                    (double) last.alice().heapKiB() / first.alice().heapKiB(),
                    last.bob().descriptors() - first.bob().descriptors(), last.bob().threads() - first.bob().threads(),
                    (double) last.bob().heapKiB() / first.bob().heapKiB(),
                    last.node().descriptors() - first.node().descriptors(),
                    (double) last.node().heapKiB() / first.node().heapKiB()));
        }
        md.append("\nMachine: ").append(ConnectBench.machine()).append('\n');
        return md.toString();
    }

    private static String cells(Usage u) {
        return u.descriptors() + " / " + u.sockets() + " / " + u.threads() + " / " + mib(u.heapKiB());
    }

    private static String mib(long kib) {
        return kib < 0 ? "?" : String.format("%.1f", kib / 1024.0);
    }
}
