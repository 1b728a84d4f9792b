package org.gcs.transport.ice;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.gcs.api.transport.IceServer;
import org.junit.jupiter.api.Assumptions;

/**
 * A coturn (4.6.1) of our own on 127.0.0.1 for tests: UDP only, TURN REST credentials ({@code use-auth-secret}) with a
 * random secret, loopback peers allowed, relay ports in a range of our choice. Stopped by its PID.
 */
final class Coturn implements AutoCloseable {
    static final String REALM = "gcs.test";

    private final Process process;
    private final String secret;
    private final int port;
    private final int relayMin;
    private final int relayMax;
    private final Path dir;
    private final List<String> log = new CopyOnWriteArrayList<>();

    private Coturn(Process process, String secret, int port, int relayMin, int relayMax, Path dir) {
        this.process = process;
        this.secret = secret;
        this.port = port;
        this.relayMin = relayMin;
        this.relayMax = relayMax;
        this.dir = dir;
        Thread t = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(),
                    StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) {
                    log.add(line);
                }
            } catch (IOException e) {
                // process ended
            }
        }, "coturn-log");
        t.setDaemon(true);
        t.start();
    }

    /** Starts coturn, or skips the calling test (loudly) when {@code turnserver} is missing even after installing. */
    static Coturn start(int maxAllocateLifetimeSeconds) throws Exception {
        String exe = turnserver();
        if (exe == null) {
            System.err.println("*** SKIPPING TURN TESTS: no turnserver binary (coturn); scripts/install-test-deps.sh"
                    + " did not install it ***");
            Assumptions.assumeTrue(false, "coturn (turnserver) is not installed");
        }
        int port = freeUdpPort();
        int relayMin = 20000 + (port % 20000);
        int relayMax = relayMin + 50;
        byte[] raw = new byte[24];
        new SecureRandom().nextBytes(raw);
        String secret = HexFormat.of().formatHex(raw);
        Path dir = Files.createTempDirectory("gcs-coturn");
        List<String> cmd = new ArrayList<>(List.of(exe, "-n",
                "--listening-ip=127.0.0.1", "--listening-port=" + port, "--relay-ip=127.0.0.1",
                "--min-port=" + relayMin, "--max-port=" + relayMax,
                "--use-auth-secret", "--static-auth-secret=" + secret, "--realm=" + REALM,
                "--no-tls", "--no-dtls", "--no-cli", "--no-tcp", "--no-tcp-relay",
                "--allow-loopback-peers", "--no-multicast-peers",
                "-v", "--log-file=stdout", "--pidfile=" + dir.resolve("turnserver.pid"), "--db=" + dir.resolve("turndb")));
        if (maxAllocateLifetimeSeconds > 0) {
            cmd.add("--max-allocate-lifetime=" + maxAllocateLifetimeSeconds);
        }
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        Coturn c = new Coturn(p, secret, port, relayMin, relayMax, dir);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline && p.isAlive() && c.log.stream().noneMatch(l -> l.contains("pid file created"))) {
            Thread.sleep(50);
        }
        if (!p.isAlive()) {
            throw new IllegalStateException("coturn exited: " + String.join("\n", c.log));
        }
        Thread.sleep(200); // listeners start right after the pid file
        return c;
    }

    private static String turnserver() throws InterruptedException {
        for (int attempt = 0; attempt < 2; attempt++) {
            for (String dir : new String[] {"/usr/bin", "/usr/local/bin", "/usr/sbin"}) {
                File f = new File(dir, "turnserver");
                if (f.canExecute()) {
                    return f.getPath();
                }
            }
            if (attempt == 0) {
                File script = new File("../../scripts/install-test-deps.sh");
                if (!script.isFile()) {
                    return null;
                }
                try {
                    Process p = new ProcessBuilder("bash", script.getPath()).inheritIO().start();
                    if (!p.waitFor(300, TimeUnit.SECONDS)) {
                        p.destroyForcibly();
                        return null;
                    }
                } catch (IOException e) {
                    return null;
                }
            }
        }
        return null;
    }

    private static int freeUdpPort() throws IOException {
        try (DatagramSocket s = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    /** TURN REST credentials as the node hands them out: {@code <expiry>:<id>}, base64(HMAC-SHA1(secret, username)). */
    IceServer credentials(String id, long ttlSeconds) throws Exception {
        String username = (System.currentTimeMillis() / 1000 + ttlSeconds) + ":" + id;
        Mac mac = Mac.getInstance("HmacSHA1");
        mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA1"));
        String password = Base64.getEncoder().encodeToString(mac.doFinal(username.getBytes(StandardCharsets.UTF_8)));
        return new IceServer(IceServer.Kind.TURN, "127.0.0.1", port, username, password);
    }

    boolean isRelayPort(int p) {
        return p >= relayMin && p <= relayMax;
    }

    List<String> log() {
        return List.copyOf(log);
    }

    @Override
    public void close() throws Exception {
        long pid = process.pid();
        process.destroy(); // SIGTERM to our own turnserver, by its PID
        if (!process.waitFor(5, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            process.waitFor(5, TimeUnit.SECONDS);
        }
        try (var files = Files.walk(dir)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        }
        System.out.println("[coturn] pid " + pid + " stopped");
    }
}
