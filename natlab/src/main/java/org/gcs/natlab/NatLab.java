package org.gcs.natlab;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.gcs.launcher.DaemonProcess;
import org.gcs.launcher.LocalCluster;
import org.gcs.launcher.NodeProcess;
import org.gcs.launcher.RoleProcess;

/**
 * The NAT lab, running: the namespaces of {@code natlab/scripts/lab-up.sh}, coturn in {@code gcsl-turn}, a central
 * GCS node in {@code gcsl-node} and one daemon per chosen {@link LabDevice} in the device's namespace (each a new user,
 * everyone on everyone's uploaded friends list). Applications run inside the device namespaces too and reach their
 * daemon over its Unix socket (the daemon's state directory). Everything is ended by {@link #close()}, which also runs on JVM shutdown; {@link #start}
 * removes an earlier lab's leftovers first.
 *
 * <pre>{@code
 * NatLab.installTestDeps(repo);
 * NatLab.unavailable().ifPresent(reason -> ...skip...);
 * try (NatLab lab = NatLab.start(repo, workDir, List.of(LabDevice.CONE1, LabDevice.CONE2), System.out)) {
 *     NatLab.FileTransfer t = lab.sendFile(LabDevice.CONE1, LabDevice.CONE2, file, "cone-cone");
 * }
 * }</pre>
 */
public final class NatLab implements AutoCloseable {
    public static final String PREFIX = "gcsl-";
    public static final String NET = "203.0.113";
    public static final String NODE_NAMESPACE = PREFIX + "node";
    public static final String TURN_NAMESPACE = PREFIX + "turn";
    public static final String NODE_ADDRESS = NET + ".10";
    public static final String TURN_ADDRESS = NET + ".20";
    public static final int NODE_TLS_PORT = 7000;
    public static final int STUN_PORT = 3478;
    public static final int TURN_PORT = 3478;
    public static final String TURN_REALM = "gcs.lab";
    /** The node's and coturn's interface on the internet bridge. */
    public static final String PUBLIC_INTERFACE = "eth0";

    private static final Duration SCRIPT_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(10);
    private static final Duration COTURN_START = Duration.ofSeconds(15);
    private static final Duration DAEMONS_START = Duration.ofSeconds(120);
    private static final Duration APP_READY = Duration.ofSeconds(30);
    private static final Duration SEND_TIMEOUT = Duration.ofSeconds(180);
    private static final Duration RECEIVE_TAIL = Duration.ofSeconds(30);
    private static final Pattern SENT = Pattern.compile("(?m)^sent sha256=([0-9a-f]{64}) bytes=(\\d+) path=(\\w+)");
    private static final Pattern VERIFIED = Pattern.compile("(?m)^verified sha256=([0-9a-f]{64}) bytes=(\\d+)");
    private static final Pattern CONNECTED = Pattern.compile("(?m)^connected path=(\\w+)");
    private static final Pattern RECEIVING = Pattern.compile("(?m)^receiving .* path=(\\w+)\\s*$");

    private final Path repo;
    private final Path workDir;
    private final PrintStream log;
    private final LocalCluster cluster;
    private final String turnSecret;
    private final Map<LabDevice, DaemonProcess> daemons = new EnumMap<>(LabDevice.class);
    private final AtomicBoolean closed = new AtomicBoolean();
    private final Thread shutdownHook;
    private RoleProcess coturn;
    private NodeProcess node;

    private NatLab(Path repo, Path workDir, PrintStream log) {
        this.repo = repo.toAbsolutePath().normalize();
        this.workDir = workDir.toAbsolutePath().normalize();
        this.log = log;
        this.cluster = new LocalCluster(this.workDir, this.repo.resolve("assembly/target"), null);
        byte[] secret = new byte[16];
        new SecureRandom().nextBytes(secret);
        this.turnSecret = HexFormat.of().formatHex(secret);
        this.shutdownHook = new Thread(this::close, "natlab-cleanup");
        Runtime.getRuntime().addShutdownHook(shutdownHook);
    }

    // ---- preconditions ---------------------------------------------------------------------------------------------

    /** The repository root: {@code natlab.repo.dir}, or the current directory or a parent holding {@code natlab/scripts}. */
    public static Path findRepo() {
        String configured = System.getProperty("natlab.repo.dir");
        if (configured != null && !configured.isBlank()) {
            return Path.of(configured).toAbsolutePath().normalize();
        }
        Path dir = Path.of("").toAbsolutePath();
        for (int i = 0; i < 4 && dir != null; i++, dir = dir.getParent()) {
            if (Files.isRegularFile(dir.resolve("natlab/scripts/lab-up.sh"))) {
                return dir;
            }
        }
        throw new IllegalStateException("natlab/scripts/lab-up.sh not found from " + Path.of("").toAbsolutePath());
    }

    /** Runs {@code scripts/install-test-deps.sh} (coturn, nftables, iproute2 where missing; a no-op without root). */
    public static void installTestDeps(Path repo) throws IOException, InterruptedException {
        Shell.run(Duration.ofMinutes(5), "bash", repo.resolve("scripts/install-test-deps.sh").toString()).orThrow();
    }

    /**
     * Why this machine cannot host the lab (not root, no {@code ip}, namespaces not permitted), found by creating and
     * deleting a throw-away namespace; empty when it can.
     */
    public static Optional<String> unavailable() {
        if (!System.getProperty("os.name", "").toLowerCase(java.util.Locale.ROOT).contains("linux")) {
            return Optional.of("network namespaces need Linux, this is " + System.getProperty("os.name"));
        }
        String probe = PREFIX + "probe-" + ProcessHandle.current().pid();
        try {
            Shell.Result add = Shell.run(COMMAND_TIMEOUT, "ip", "netns", "add", probe);
            if (!add.ok()) {
                return Optional.of("cannot create a network namespace (root needed): `ip netns add` said: " + add.output().trim());
            }
            Shell.run(COMMAND_TIMEOUT, "ip", "netns", "del", probe).orThrow();
            return Optional.empty();
        } catch (IOException e) {
            return Optional.of("cannot run `ip` (iproute2): " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.of("interrupted while probing for network namespaces");
        } catch (IllegalStateException e) {
            return Optional.of(e.getMessage());
        }
    }

    /** The TURN credential lifetime of {@link #start(Path, Path, Collection, PrintStream)}. */
    public static final int DEFAULT_TURN_TTL_SECONDS = 600;
    private int turnTtlSeconds = DEFAULT_TURN_TTL_SECONDS;
    private long startedNanos;

    /** When the daemons had logged in (System.nanoTime()): their first TURN credentials expire a lifetime later. */
    public long startedNanos() {
        return startedNanos;
    }

    // ---- start -----------------------------------------------------------------------------------------------------

    /**
     * Builds the lab (after removing leftovers), starts coturn, the node and a daemon per device, and makes every
     * device's user a friend of every other's. On any failure everything started so far is ended again.
     */
    public static NatLab start(Path repo, Path workDir, Collection<LabDevice> devices, PrintStream log) throws Exception {
        return start(repo, workDir, devices, DEFAULT_TURN_TTL_SECONDS, log);
    }

    /**
     * As {@link #start(Path, Path, Collection, PrintStream)} with the lifetime of the TURN credentials the node issues
     * ({@code turn.ttl.seconds}): short, it makes the daemons live through renewals.
     */
    public static NatLab start(Path repo, Path workDir, Collection<LabDevice> devices, int turnTtlSeconds, PrintStream log)
            throws Exception {
        NatLab lab = new NatLab(repo, workDir, log);
        lab.turnTtlSeconds = turnTtlSeconds;
        try {
            lab.bringUp(devices);
            return lab;
        } catch (Throwable t) {
            lab.close();
            throw t;
        }
    }

    private void bringUp(Collection<LabDevice> devices) throws Exception {
        long t0 = System.nanoTime();
        LocalCluster.deleteTree(workDir);
        Files.createDirectories(workDir);
        script("lab-up.sh");
        say("namespaces up (" + PREFIX + "*)");
        startCoturn();
        say("coturn listening on " + TURN_ADDRESS + ":" + TURN_PORT + " (pid " + coturn.pid() + ")");
        Map<String, String> config = new LinkedHashMap<>();
        config.put("host", NODE_ADDRESS);
        config.put("port", Integer.toString(NODE_TLS_PORT));
        config.put("stun.port", Integer.toString(STUN_PORT));
        config.put("advertised.host", NODE_ADDRESS);
        config.put("turn.servers", TURN_ADDRESS + ":" + TURN_PORT);
        config.put("turn.secret", turnSecret);
        config.put("turn.ttl.seconds", Integer.toString(turnTtlSeconds));
        node = cluster.startCentral(inNamespace(NODE_NAMESPACE), config);
        say("node " + node.nodeId().substring(0, 12) + "... on tls://" + NODE_ADDRESS + ":" + node.tlsPort() + " stun "
                + NODE_ADDRESS + ":" + node.stunPort() + " (pid " + node.process().pid() + ")");
        startDaemons(devices);
        startedNanos = System.nanoTime();
        say("daemons up: " + daemons.keySet() + " in " + (System.nanoTime() - t0) / 1_000_000 + " ms");
    }

    private void startCoturn() throws IOException, InterruptedException {
        Path dir = workDir.resolve("coturn");
        Files.createDirectories(dir);
        List<String> command = new ArrayList<>(inNamespace(TURN_NAMESPACE));
        command.addAll(List.of("turnserver", "-n",
                "--listening-ip=" + TURN_ADDRESS, "--relay-ip=" + TURN_ADDRESS, "--listening-port=" + TURN_PORT,
                "--min-port=49152", "--max-port=65535",
                "--realm=" + TURN_REALM, "--use-auth-secret", "--static-auth-secret=" + turnSecret,
                "--no-tls", "--no-dtls", "--no-cli", "--no-multicast-peers",
                "--denied-peer-ip=0.0.0.0-0.255.255.255", "--denied-peer-ip=10.0.0.0-10.255.255.255",
                "--denied-peer-ip=100.64.0.0-100.127.255.255", "--denied-peer-ip=127.0.0.0-127.255.255.255",
                "--denied-peer-ip=169.254.0.0-169.254.255.255", "--denied-peer-ip=172.16.0.0-172.31.255.255",
                "--denied-peer-ip=192.168.0.0-192.168.255.255",
                "--pidfile=" + dir.resolve("turnserver.pid"), "--userdb=" + dir.resolve("turndb"),
                "--log-file=stdout", "--simple-log"));
        coturn = cluster.startProcess("coturn", command);
        long deadline = System.nanoTime() + COTURN_START.toNanos();
        String port = String.format(":%04X ", TURN_PORT);
        while (System.nanoTime() < deadline) {
            if (!coturn.isAlive()) {
                throw new IllegalStateException("coturn exited at start:\n" + coturn.log());
            }
            Shell.Result udp = Shell.run(COMMAND_TIMEOUT, "ip", "netns", "exec", TURN_NAMESPACE, "cat", "/proc/net/udp");
            if (udp.ok() && udp.output().lines().anyMatch(l -> l.trim().split("\\s+").length > 1
                    && l.trim().split("\\s+")[1].endsWith(port.trim()))) {
                return;
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException("coturn did not bind UDP " + TURN_PORT + " within " + COTURN_START + ":\n" + coturn.log());
    }

    private void startDaemons(Collection<LabDevice> devices) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(Math.max(1, Math.min(4, devices.size())));
        try {
            Map<LabDevice, Future<DaemonProcess>> starting = new EnumMap<>(LabDevice.class);
            for (LabDevice d : devices) {
                starting.put(d, pool.submit(() -> cluster.startDaemon(d.id(), d.id(), node, "upload", null,
                        inNamespace(d.namespace()), Map.of())));
            }
            long deadline = System.nanoTime() + DAEMONS_START.toNanos();
            for (Map.Entry<LabDevice, Future<DaemonProcess>> e : starting.entrySet()) {
                long left = Math.max(1, deadline - System.nanoTime());
                daemons.put(e.getKey(), e.getValue().get(left, TimeUnit.NANOSECONDS));
            }
        } finally {
            pool.shutdownNow();
        }
        for (Map.Entry<LabDevice, DaemonProcess> me : daemons.entrySet()) {
            Map<String, String> friends = new LinkedHashMap<>();
            daemons.forEach((d, p) -> {
                if (d != me.getKey()) {
                    friends.put(p.userId(), d.id());
                }
            });
            me.getValue().writeFriends(friends);
        }
    }

    // ---- use -------------------------------------------------------------------------------------------------------

    /** {@code ip netns exec <namespace>}: the prefix that runs a command inside a lab namespace. */
    public static List<String> inNamespace(String namespace) {
        return List.of("ip", "netns", "exec", namespace);
    }

    public NodeProcess node() {
        return node;
    }

    public RoleProcess coturn() {
        return coturn;
    }

    public DaemonProcess daemon(LabDevice device) {
        DaemonProcess d = daemons.get(device);
        if (d == null) {
            throw new IllegalArgumentException(device + " was not started in this lab");
        }
        return d;
    }

    public Path workDir() {
        return workDir;
    }

    /** Starts a java application inside {@code device}'s namespace (tracked and ended like the roles). */
    public RoleProcess startApp(LabDevice device, String name, String... javaArgs) throws IOException {
        List<String> command = new ArrayList<>(inNamespace(device.namespace()));
        command.addAll(LocalCluster.javaCommand(javaArgs));
        return cluster.startProcess(name, command);
    }

    /** The byte counters of {@code device} in {@code namespace}, read now. */
    public static InterfaceCounters counters(String namespace, String device) throws IOException, InterruptedException {
        Shell.Result r = Shell.run(COMMAND_TIMEOUT, "ip", "-n", namespace, "-s", "-j", "link", "show", "dev", device).orThrow();
        return InterfaceCounters.parse(namespace, device, r.output());
    }

    /** The node's interface on the internet bridge: every byte the node sends or receives. */
    public InterfaceCounters nodeCounters() throws IOException, InterruptedException {
        return counters(NODE_NAMESPACE, PUBLIC_INTERFACE);
    }

    /** coturn's interface on the internet bridge: every byte relayed (twice: in and out). */
    public InterfaceCounters turnCounters() throws IOException, InterruptedException {
        return counters(TURN_NAMESPACE, PUBLIC_INTERFACE);
    }

    private static final Pattern NFT_COUNTER = Pattern.compile("counter (\\w+) \\{\\s*packets \\d+ bytes (\\d+)");

    /**
     * Bytes coturn received from ({@code in_<device>}) and sent to ({@code out_<device>}) each device's public address
     * (nftables named counters of {@code lab-up.sh} in table {@code inet gcsl-acct}): which end used the relay.
     */
    public static Map<String, Long> turnCountersByDevice() throws IOException, InterruptedException {
        Shell.Result r = Shell.run(COMMAND_TIMEOUT, "ip", "netns", "exec", TURN_NAMESPACE, "nft", "list", "counters",
                "table", "inet", "gcsl-acct").orThrow();
        Map<String, Long> counters = new LinkedHashMap<>();
        Matcher m = NFT_COUNTER.matcher(r.output());
        while (m.find()) {
            counters.put(m.group(1), Long.parseLong(m.group(2)));
        }
        return counters;
    }

    /**
     * How many requests coturn refused so far because the peer address is in a denied (private) range: an ICE agent
     * asking for permissions to 192.168.N.2 host candidates of the other end.
     */
    public int coturnDeniedPeers() {
        return (int) coturn.log().lines().filter(l -> l.contains("denied in the range")).count();
    }

    /** The runnable examples jar ({@code filesend}, {@code chat}). */
    public Path examplesJar() {
        return requireFile(repo.resolve("examples/target/gcs-examples.jar"));
    }

    /** This module's jar with its {@code lib/} (for {@link Probe}). */
    public Path natlabJar() {
        return requireFile(repo.resolve("natlab/target/gcs-natlab.jar"));
    }

    private static Path requireFile(Path p) {
        if (!Files.isRegularFile(p)) {
            throw new IllegalStateException(p + " is missing: build with ./mvnw -q -B install -DskipTests");
        }
        return p;
    }

    /** Runs the {@link Probe} in {@code from}'s namespace until {@code to}'s device is visible to {@code from}'s user. */
    public void awaitVisible(LabDevice from, LabDevice to, String tag) throws IOException, InterruptedException {
        RoleProcess p = startApp(from, tag + "-visible", "-cp", natlabJar().toString(), Probe.class.getName(), "visible",
                "--daemon-state", daemon(from).stateDir().toString(), "--user", daemon(to).userId(),
                "--device", to.id(), "--seconds", "40");
        int exit = p.waitFor(Duration.ofSeconds(60));
        if (exit != 0) {
            throw new IllegalStateException(to.id() + " never became visible to " + from.id() + ":\n" + p.log()
                    + "\n--- " + from.id() + " daemon log tail:\n" + tail(daemon(from).process().log(), 30));
        }
    }

    /** What one {@code filesend} run reported on both ends. */
    public record FileTransfer(int senderExit, int receiverExit, String sentSha256, String verifiedSha256, long bytes,
            String callerPath, String calleePath, long millis, String senderLog, String receiverLog) {
        public boolean verified() {
            return senderExit == 0 && receiverExit == 0 && sentSha256 != null && sentSha256.equals(verifiedSha256);
        }
    }

    /**
     * Sends {@code file} with the example {@code filesend} from {@code from}'s app to {@code to}'s app (receiver
     * started first, inside {@code to}'s namespace). Bounded: the sender gets 180 s, the receiver 30 s more.
     */
    public FileTransfer sendFile(LabDevice from, LabDevice to, Path file, String tag) throws IOException, InterruptedException {
        Path inbox = workDir.resolve(tag + "-inbox");
        Files.createDirectories(inbox);
        String examples = examplesJar().toString();
        RoleProcess receiver = startApp(to, tag + "-receive", "-jar", examples, "filesend", "receive",
                "--daemon-state", daemon(to).stateDir().toString(), "--dir", inbox.toString(), "--once",
                "--wait-seconds", Long.toString(SEND_TIMEOUT.toSeconds()));
        awaitLine(receiver, "listening", APP_READY);
        long t0 = System.nanoTime();
        RoleProcess sender = startApp(from, tag + "-send", "-jar", examples, "filesend", "send",
                "--daemon-state", daemon(from).stateDir().toString(), "--user", daemon(to).userId(),
                "--device", to.id(), "--file", file.toAbsolutePath().toString());
        int senderExit;
        try {
            senderExit = sender.waitFor(SEND_TIMEOUT);
        } catch (IllegalStateException stillRunning) {
            sender.close();
            senderExit = -1;
        }
        long millis = (System.nanoTime() - t0) / 1_000_000;
        int receiverExit;
        try {
            receiverExit = receiver.waitFor(senderExit == 0 ? RECEIVE_TAIL : Duration.ofSeconds(2));
        } catch (IllegalStateException stillRunning) {
            receiver.close();
            receiverExit = -1;
        }
        String sent = sender.log();
        String received = receiver.log();
        Matcher s = SENT.matcher(sent);
        Matcher v = VERIFIED.matcher(received);
        boolean sentOk = s.find();
        boolean verifiedOk = v.find();
        return new FileTransfer(senderExit, receiverExit, sentOk ? s.group(1) : null, verifiedOk ? v.group(1) : null,
                sentOk ? Long.parseLong(s.group(2)) : -1, group(sentOk ? s.group(3) : null, CONNECTED, sent),
                group(null, RECEIVING, received), millis, sent, received);
    }

    private static String group(String found, Pattern p, String text) {
        if (found != null) {
            return found;
        }
        Matcher m = p.matcher(text);
        return m.find() ? m.group(1) : null;
    }

    /** Waits until {@code process} printed a line starting with {@code prefix}. */
    public static void awaitLine(RoleProcess process, String prefix, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (process.log().lines().anyMatch(l -> l.startsWith(prefix))) {
                return;
            }
            if (!process.isAlive()) {
                throw new IllegalStateException(process.name() + " ended before printing '" + prefix + "':\n" + process.log());
            }
            Thread.sleep(50);
        }
        throw new IllegalStateException(process.name() + " did not print '" + prefix + "' within " + timeout + ":\n" + process.log());
    }

    /** The last {@code lines} lines of {@code text}. */
    public static String tail(String text, int lines) {
        List<String> all = text.lines().toList();
        return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
    }

    /** The GCS log records of the daemons of {@code devices} (for a failure message). */
    public String daemonLogs(LabDevice... devices) {
        StringBuilder b = new StringBuilder();
        for (LabDevice d : devices) {
            DaemonProcess p = daemons.get(d);
            if (p != null) {
                b.append("--- daemon ").append(d.id()).append(" (").append(p.process().dir()).append("/process.log), last lines:\n")
                        .append(tail(p.process().log(), 25)).append('\n');
            }
        }
        return b.toString();
    }

    private void script(String name) throws IOException, InterruptedException {
        Shell.run(SCRIPT_TIMEOUT, "bash", repo.resolve("natlab/scripts").resolve(name).toString()).orThrow();
    }

    private void say(String line) {
        if (log != null) {
            log.println("natlab: " + line);
        }
    }

    // ---- stop ------------------------------------------------------------------------------------------------------

    /**
     * Ends every process the lab started (applications, daemons, node, coturn; by PID, newest first) and removes the
     * namespaces. Idempotent; also runs from a JVM shutdown hook.
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        try {
            cluster.close();
        } finally {
            try {
                Shell.Result down = Shell.run(SCRIPT_TIMEOUT, "bash", repo.resolve("natlab/scripts/lab-down.sh").toString());
                if (!down.ok()) {
                    System.err.println("natlab: lab-down.sh failed: " + down.output());
                }
            } catch (IOException | RuntimeException e) {
                System.err.println("natlab: lab-down.sh failed: " + e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            if (Thread.currentThread() != shutdownHook) {
                try {
                    Runtime.getRuntime().removeShutdownHook(shutdownHook);
                } catch (IllegalStateException shuttingDown) {
                    // the JVM is already exiting
                }
            }
            say("lab down");
        }
    }
}
