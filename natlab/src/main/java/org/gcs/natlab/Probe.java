package org.gcs.natlab;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.gcs.api.AppId;
import org.gcs.api.DeviceId;
import org.gcs.api.UserId;
import org.gcs.client.GcsClient;
import org.gcs.client.IncomingDecision;
import org.gcs.client.Listener;
import org.gcs.client.PeerConnection;

/**
 * A measuring application the lab runs inside a device namespace, as app {@value #APP}; it reaches the daemon over the
 * Unix socket named in the daemon's state directory ({@code --daemon-state}). Every mode is bounded in time and prints
 * one line per result:
 * <pre>
 * visible --daemon-state DIR --user U --device D [--seconds 40]  exit 0 once U's device D is visible (node login and
 *                                                                friends lists done), "visible ms=.."
 * listen  --daemon-state DIR [--seconds 600]                     accepts every pipe, reads it to the end, answers
 *                                                                "OK &lt;bytes&gt;" and closes; prints "listening"
 * connect --daemon-state DIR --user U --device D --runs N --bulk-mib M
 *                                                                "open run=i ms=.. path=.." per connect (open() until the
 *                                                                pipe is open), then "bulk bytes=.. ms=.. mbit_s=.. path=.."
 * </pre>
 */
public final class Probe {
    public static final String APP = "natprobe";
    private static final Duration OPEN_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration READ_TIMEOUT = Duration.ofSeconds(60);
    private static final int CHUNK = 64 * 1024;

    private Probe() {
    }

    public static void main(String[] args) {
        System.exit(run(args, System.out));
    }

    static int run(String[] args, PrintStream out) {
        if (args.length == 0) {
            out.println("usage: Probe visible|listen|connect --daemon-state DIR ...");
            return 2;
        }
        Map<String, String> a = options(args);
        try {
            return switch (args[0]) {
                case "visible" -> visible(a, out);
                case "listen" -> listen(a, out);
                case "connect" -> connect(a, out);
                default -> {
                    out.println("unknown mode " + args[0]);
                    yield 2;
                }
            };
        } catch (Exception e) {
            out.println("failed " + e);
            return 1;
        }
    }

    private static Map<String, String> options(String[] args) {
        Map<String, String> m = new HashMap<>();
        for (int i = 1; i + 1 < args.length; i += 2) {
            if (!args[i].startsWith("--")) {
                throw new IllegalArgumentException("expected --option, got " + args[i]);
            }
            m.put(args[i].substring(2), args[i + 1]);
        }
        return m;
    }

    private static String required(Map<String, String> a, String key) {
        String v = a.get(key);
        if (v == null) {
            throw new IllegalArgumentException("--" + key + " missing");
        }
        return v;
    }

    private static int visible(Map<String, String> a, PrintStream out) throws Exception {
        Path state = Path.of(required(a, "daemon-state"));
        UserId user = UserId.parse(required(a, "user"));
        DeviceId device = DeviceId.of(required(a, "device"));
        long start = System.nanoTime();
        long deadline = start + TimeUnit.SECONDS.toNanos(Long.parseLong(a.getOrDefault("seconds", "40")));
        String last = "nothing yet";
        while (System.nanoTime() < deadline) {
            try (GcsClient gcs = GcsClient.local(state)) {
                if (gcs.nodeConnected()) {
                    List<DeviceId> devices = gcs.availableDevices(user).get(10, TimeUnit.SECONDS);
                    if (devices.contains(device)) {
                        out.println("visible ms=" + (System.nanoTime() - start) / 1_000_000);
                        return 0;
                    }
                    last = "devices " + devices;
                } else {
                    last = "daemon not connected to the node";
                }
            } catch (Exception e) {
                last = String.valueOf(e.getCause() != null ? e.getCause() : e);
            }
            Thread.sleep(200);
        }
        out.println("not visible: " + last);
        return 1;
    }

    private static int listen(Map<String, String> a, PrintStream out) throws Exception {
        Path state = Path.of(required(a, "daemon-state"));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(Long.parseLong(a.getOrDefault("seconds", "600")));
        try (GcsClient gcs = GcsClient.local(state);
             Listener listener = gcs.listen(AppId.of(APP), request -> IncomingDecision.accept())) {
            out.println("listening port=" + listener.port());
            while (System.nanoTime() < deadline && listener.isOpen()) {
                PeerConnection pipe = listener.accept(Duration.ofSeconds(1));
                if (pipe != null) {
                    Thread t = new Thread(() -> drain(pipe, out), "drain");
                    t.setDaemon(true);
                    t.start();
                }
            }
        }
        return 0;
    }

    private static void drain(PeerConnection pipe, PrintStream out) {
        try (pipe) {
            pipe.setReadTimeout(READ_TIMEOUT);
            InputStream in = pipe.input();
            byte[] buf = new byte[CHUNK];
            long total = 0;
            int n;
            while ((n = in.read(buf)) >= 0) {
                total += n;
            }
            OutputStream o = pipe.output();
            o.write(("OK " + total + "\n").getBytes(StandardCharsets.US_ASCII));
            o.flush();
            pipe.shutdownOutput();
            out.println("drained bytes=" + total + " path=" + pipe.path());
        } catch (IOException e) {
            out.println("drain failed " + e);
        }
    }

    private static int connect(Map<String, String> a, PrintStream out) throws Exception {
        Path state = Path.of(required(a, "daemon-state"));
        UserId user = UserId.parse(required(a, "user"));
        DeviceId device = DeviceId.of(required(a, "device"));
        int runs = Integer.parseInt(a.getOrDefault("runs", "5"));
        long bulk = Long.parseLong(a.getOrDefault("bulk-mib", "32")) * 1024 * 1024;
        AppId app = AppId.of(APP);
        int failures = 0;
        try (GcsClient gcs = GcsClient.local(state)) {
            for (int i = 1; i <= runs; i++) {
                long t0 = System.nanoTime();
                try (PeerConnection pipe = gcs.open(user, device, app).get(OPEN_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
                    long ms = (System.nanoTime() - t0) / 1_000_000;
                    finish(pipe, 0);
                    out.println("open run=" + i + " ms=" + ms + " path=" + pipe.path());
                } catch (Exception e) {
                    failures++;
                    out.println("open run=" + i + " failed " + (e.getCause() != null ? e.getCause() : e));
                }
            }
            if (bulk > 0) {
                try (PeerConnection pipe = gcs.open(user, device, app).get(OPEN_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
                    byte[] chunk = new byte[CHUNK];
                    new Random(7).nextBytes(chunk);
                    OutputStream o = pipe.output();
                    long t0 = System.nanoTime();
                    for (long left = bulk; left > 0; left -= chunk.length) {
                        o.write(chunk, 0, (int) Math.min(chunk.length, left));
                    }
                    o.flush();
                    finish(pipe, bulk);
                    long ns = System.nanoTime() - t0;
                    out.printf(java.util.Locale.ROOT, "bulk bytes=%d ms=%d mbit_s=%.1f path=%s%n", bulk, ns / 1_000_000,
                            bulk * 8.0 / (ns / 1e9) / 1e6, pipe.path());
                } catch (Exception e) {
                    failures++;
                    out.println("bulk failed " + (e.getCause() != null ? e.getCause() : e));
                }
            }
        }
        return failures == 0 ? 0 : 1;
    }

    /** Half-closes and waits for the listener's {@code OK <bytes>}, so the whole payload is known to have arrived. */
    private static void finish(PeerConnection pipe, long expected) throws IOException {
        pipe.shutdownOutput();
        pipe.setReadTimeout(READ_TIMEOUT);
        ByteArrayOutputStream answer = new ByteArrayOutputStream();
        InputStream in = pipe.input();
        int b;
        while ((b = in.read()) >= 0 && b != '\n' && answer.size() < 100) {
            answer.write(b);
        }
        String line = answer.toString(StandardCharsets.US_ASCII);
        if (!line.equals("OK " + expected)) {
            throw new IOException("listener answered '" + line + "', expected 'OK " + expected + "'");
        }
    }
}
