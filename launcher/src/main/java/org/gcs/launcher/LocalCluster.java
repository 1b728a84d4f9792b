package org.gcs.launcher;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.function.Predicate;

/**
 * A GCS deployment on one machine: a node and daemons, each a separate {@code java -jar} process of the assembly's
 * runnable jars, configured through ConfigAdmin {@code .cfg} files in its own directory, all on 127.0.0.1 with
 * ephemeral ports. Used by the demo, the end-to-end tests and the benchmarks.
 *
 * <pre>{@code
 * try (LocalCluster cluster = new LocalCluster(workDir, LocalCluster.findAssembly(), System.out)) {
 *     NodeProcess node = cluster.startCentral();
 *     DaemonProcess alice = cluster.startDaemon("alice", "laptop", node, "upload");
 * }
 * }</pre>
 *
 * A distributed deployment runs {@code kademlia.jar} nodes that join through each other, and daemons that find their
 * handler nodes through a bootstrap list:
 *
 * <pre>{@code
 * KademliaNodeProcess first = cluster.startKademlia("node1", List.of());
 * KademliaNodeProcess second = cluster.startKademlia("node2", List.of(first));
 * DaemonProcess bob = cluster.startDaemon("bob", "phone", List.of(first.node(), second.node()), "upload", null);
 * }</pre>
 */
public final class LocalCluster implements AutoCloseable {
    public static final Duration START_TIMEOUT = Duration.ofSeconds(60);
    /** Transport configuration of daemons on one machine: host candidates on 127.0.0.1 only. */
    public static final Map<String, String> LOOPBACK_TRANSPORT = Map.of("host.addresses", "127.0.0.1");

    private final Path workDir;
    private final Path assemblyTarget;
    private final PrintStream echo;
    private final Predicate<String> echoFilter;
    private final List<RoleProcess> processes = new ArrayList<>();
    /** PID {@code org.gcs.auth.bns} for every role started from now on (empty: none written, the defaults apply). */
    private volatile Map<String, String> nameService = Map.of();

    /**
     * @param workDir where each process gets its directory
     * @param assemblyTarget the directory holding {@code central.jar} and {@code daemon.jar}
     * @param echo where to print the processes' protocol steps ({@code null} for silence)
     */
    public LocalCluster(Path workDir, Path assemblyTarget, PrintStream echo) {
        this(workDir, assemblyTarget, echo, LocalCluster::isProtocolStep);
    }

    public LocalCluster(Path workDir, Path assemblyTarget, PrintStream echo, Predicate<String> echoFilter) {
        this.workDir = workDir.toAbsolutePath();
        this.assemblyTarget = assemblyTarget.toAbsolutePath();
        this.echo = echo;
        this.echoFilter = echoFilter;
    }

    /**
     * Makes every node and daemon started from now on check BNS names with this configuration of PID
     * {@code org.gcs.auth.bns} ({@code url} of the offline registry, say, and {@code cache.ttl.seconds}): nodes for
     * logins, daemons for their own name at start and for their BNS friends' signed signaling.
     */
    public void nameService(Map<String, String> bnsConfig) {
        this.nameService = Map.copyOf(bnsConfig);
    }

    private void writeNameService(Path dir) throws IOException {
        if (!nameService.isEmpty()) {
            writeConfig(dir, "org.gcs.auth.bns", nameService);
        }
    }

    /** The lines a person watching the demo wants: the roles' INFO and WARNING records from GCS code. */
    static boolean isProtocolStep(String line) {
        return line.contains(" org.gcs.") || line.startsWith("GCS ");
    }

    /** {@code assembly/target} found from the current directory or one of its parents. */
    public static Path findAssembly() {
        Path dir = Path.of("").toAbsolutePath();
        for (int i = 0; i < 4 && dir != null; i++, dir = dir.getParent()) {
            Path candidate = dir.resolve("assembly/target");
            if (Files.isRegularFile(candidate.resolve("central.jar"))) {
                return candidate;
            }
        }
        throw new IllegalStateException("assembly/target/central.jar not found: build with ./mvnw -B install -DskipTests");
    }

    /** Starts a central GCS node (TLS and STUN on ephemeral loopback ports) and waits until it is listening. */
    public NodeProcess startCentral() throws IOException, InterruptedException {
        return startCentral(List.of(), Map.of());
    }

    /**
     * Starts a central GCS node elsewhere than on plain loopback, e.g. inside a network namespace, and waits until it is
     * listening. Daemons started later dial its {@code host} (or its {@code advertised.host} when {@code host} is a
     * wildcard address).
     *
     * @param commandPrefix put in front of the java command line, e.g. {@code ip netns exec gcsl-node} (empty: none)
     * @param config entries of PID {@code org.gcs.node} that add to or replace the defaults {@code host=127.0.0.1},
     *        {@code port=0}, {@code stun.port=0}, {@code state.dir=state}
     */
    public NodeProcess startCentral(List<String> commandPrefix, Map<String, String> config) throws IOException, InterruptedException {
        return startCentral(commandPrefix, config, List.of());
    }

    /**
     * As {@link #startCentral(List, Map)}, with {@code jvmOptions} for the node's JVM (a larger heap, say: they come
     * after the defaults and override them).
     */
    public NodeProcess startCentral(List<String> commandPrefix, Map<String, String> config, List<String> jvmOptions)
            throws IOException, InterruptedException {
        Path dir = workDir.resolve("node");
        Map<String, String> node = new LinkedHashMap<>();
        node.put("host", "127.0.0.1");
        node.put("port", "0");
        node.put("stun.port", "0");
        node.put("state.dir", "state");
        node.putAll(config);
        writeConfig(dir, "org.gcs.node", node);
        writeNameService(dir);
        clearReadiness(dir, "state/node.properties", "state/stats.properties");
        List<String> args = new ArrayList<>(jvmOptions);
        args.add("-jar");
        args.add(assemblyTarget.resolve("central.jar").toString());
        RoleProcess process = start("node", dir, prefixed(commandPrefix, RoleProcess.java(args.toArray(new String[0]))));
        Properties started = process.awaitProperties("state/node.properties", START_TIMEOUT);
        String host = node.get("host");
        if (isWildcard(host) && node.containsKey("advertised.host") && !node.get("advertised.host").isBlank()) {
            host = node.get("advertised.host");
        }
        return new NodeProcess(process, started, host);
    }

    /**
     * Starts the baseline relay ({@code relay.jar}) in {@code workDir/relay} with TLS and STUN on ephemeral ports of
     * 127.0.0.1, and waits until it has written {@code state/relay.properties}.
     *
     * @param config entries of PID {@code org.gcs.relay} that add to or replace those defaults
     */
    public RelayProcess startRelay(Map<String, String> config) throws IOException, InterruptedException {
        Path jar = assemblyTarget.resolve("relay.jar");
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException(jar + " is missing: build with ./mvnw -B install -DskipTests");
        }
        Path dir = workDir.resolve("relay");
        Map<String, String> relay = new LinkedHashMap<>();
        relay.put("host", "127.0.0.1");
        relay.put("port", "0");
        relay.put("stun.port", "0");
        relay.put("state.dir", "state");
        relay.putAll(config);
        writeConfig(dir, "org.gcs.relay", relay);
        clearReadiness(dir, "state/relay.properties", "state/stats.properties");
        RoleProcess process = start("relay", dir, RoleProcess.java("-jar", jar.toString()));
        Properties started = process.awaitProperties("state/relay.properties", START_TIMEOUT);
        return new RelayProcess(process, started.getProperty("relay.id"), started.getProperty("tls.host"),
                Integer.parseInt(started.getProperty("tls.port")), Integer.parseInt(started.getProperty("stun.port")));
    }

    /**
     * Starts a node of the distributed role ({@code kademlia.jar}) in {@code workDir/name} and waits until it has
     * written {@code state/node.properties} and its router's {@code state/kademlia.properties} (its link listener is
     * bound). TLS, STUN and link ports are ephemeral on 127.0.0.1; both IP-group limits are off, since every node of
     * this cluster shares 127.0.0.0/24. The node joins the DHT through {@code seeds} (none for the first node).
     *
     * @param extraRouterConfig entries of PID {@code org.gcs.routing.kademlia} that add to or replace the defaults
     *        (e.g. {@code replicas}, {@code republish.seconds}); {@code status.file} is always
     *        {@link KademliaNodeProcess#STATUS_FILE}
     */
    public KademliaNodeProcess startKademlia(String name, List<KademliaNodeProcess> seeds,
            Map<String, String> extraRouterConfig) throws IOException, InterruptedException {
        Map<String, String> node = new LinkedHashMap<>();
        node.put("host", "127.0.0.1");
        node.put("port", "0");
        node.put("stun.port", "0");
        node.put("state.dir", "state");
        Map<String, String> router = new LinkedHashMap<>();
        router.put("link.host", "127.0.0.1");
        router.put("link.port", "0");
        router.put("bootstrap", String.join(",", seeds.stream().map(KademliaNodeProcess::linkAddress).toList()));
        router.put("group.limit.bucket", "0");
        router.put("group.limit.result", "0");
        router.putAll(extraRouterConfig);
        router.put("status.file", KademliaNodeProcess.STATUS_FILE);
        router.putIfAbsent("contacts.file", "state/kademlia.contacts");
        return startKademlia(name, node, router);
    }

    /** Starts a distributed-role node joining through {@code seeds} with the default router configuration. */
    public KademliaNodeProcess startKademlia(String name, List<KademliaNodeProcess> seeds)
            throws IOException, InterruptedException {
        return startKademlia(name, seeds, Map.of());
    }

    /**
     * Starts {@code node} again in its directory, after ending it politely if it still runs (use
     * {@link RoleProcess#kill()} first to crash it): same identity, same configuration, and the TLS, STUN and link
     * ports it had, so that daemons' remembered handlers and other nodes' routing tables stay valid. A port another
     * process took meanwhile is replaced by an ephemeral one. The earlier run's log is kept as
     * {@code process-<pid>.log}.
     */
    public KademliaNodeProcess restartKademlia(KademliaNodeProcess node) throws IOException, InterruptedException {
        RoleProcess old = node.process();
        old.close();
        synchronized (processes) {
            processes.remove(old);
        }
        Path log = old.dir().resolve("process.log");
        if (Files.exists(log)) {
            Files.move(log, old.dir().resolve("process-" + old.pid() + ".log"), StandardCopyOption.REPLACE_EXISTING);
        }
        String host = node.nodeConfig().get("host");
        Map<String, String> nodeConfig = new LinkedHashMap<>(node.nodeConfig());
        nodeConfig.put("port", Integer.toString(FreePorts.tcpOrAny(host, node.node().tlsPort())));
        if (node.node().stunPort() > 0) {
            nodeConfig.put("stun.port", Integer.toString(FreePorts.udpOrAny(host, node.node().stunPort())));
        }
        Map<String, String> routerConfig = new LinkedHashMap<>(node.routerConfig());
        routerConfig.put("link.port", Integer.toString(
                FreePorts.tcpOrAny(routerConfig.getOrDefault("link.host", host), node.linkPort())));
        return startKademlia(node.name(), nodeConfig, routerConfig);
    }

    private KademliaNodeProcess startKademlia(String name, Map<String, String> node, Map<String, String> router)
            throws IOException, InterruptedException {
        Path jar = assemblyTarget.resolve("kademlia.jar");
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException(jar + " is missing: build with ./mvnw -B install -DskipTests");
        }
        Path dir = workDir.resolve(name);
        writeConfig(dir, "org.gcs.node", node);
        writeConfig(dir, "org.gcs.routing.kademlia", router);
        writeNameService(dir);
        clearReadiness(dir, "state/node.properties", "state/stats.properties", KademliaNodeProcess.STATUS_FILE);
        RoleProcess process = start(name, dir, RoleProcess.java("-jar", jar.toString()));
        Properties started = process.awaitProperties("state/node.properties", START_TIMEOUT);
        Properties status = process.awaitProperties(KademliaNodeProcess.STATUS_FILE, START_TIMEOUT);
        return new KademliaNodeProcess(name, new NodeProcess(process, started, node.get("host")), status, node, router);
    }

    private static boolean isWildcard(String host) {
        return host.equals("0.0.0.0") || host.equals("::") || host.isBlank();
    }

    private static List<String> prefixed(List<String> prefix, List<String> command) {
        List<String> all = new ArrayList<>(prefix);
        all.addAll(command);
        return all;
    }

    /**
     * A java command line as the cluster runs its roles: this JVM's java, one-line logging, the ice4j cloud-metadata
     * probe off, a 256 MiB heap, then {@code args}. For applications started with {@link #startProcess}.
     */
    public static List<String> javaCommand(String... args) {
        return RoleProcess.java(args);
    }

    /** A central node with Alice's laptop and Bob's phone logged in, friends of each other (mode upload). */
    public record AliceAndBob(NodeProcess node, DaemonProcess alice, DaemonProcess bob) {
    }

    /** Starts {@link AliceAndBob} on a central node configured with {@code nodeConfig} (limits a bench lifts). */
    public AliceAndBob startAliceAndBob(Map<String, String> nodeConfig) throws IOException, InterruptedException {
        NodeProcess node = startCentral(List.of(), nodeConfig);
        DaemonProcess alice = startDaemon("alice", "laptop", node, "upload");
        DaemonProcess bob = startDaemon("bob", "phone", node, "upload");
        alice.writeFriends(Map.of(bob.userId(), "Bob"));
        bob.writeFriends(Map.of(alice.userId(), "Alice"));
        return new AliceAndBob(node, alice, bob);
    }

    /**
     * Starts a daemon for a new user (her key is created on first start) on {@code device}, logging in to {@code node}.
     *
     * @param privacyMode {@code upload} or {@code local}
     */
    public DaemonProcess startDaemon(String name, String device, NodeProcess node, String privacyMode)
            throws IOException, InterruptedException {
        return startDaemon(name, device, node, privacyMode, null);
    }

    /**
     * Starts a daemon on {@code device} for the same user as {@code sameUserAs} (her key file is copied, as a user
     * would install her key on a second device), or for a new user when it is {@code null}.
     */
    public DaemonProcess startDaemon(String name, String device, NodeProcess node, String privacyMode, DaemonProcess sameUserAs)
            throws IOException, InterruptedException {
        return startDaemon(name, device, node, privacyMode, sameUserAs, List.of(), LOOPBACK_TRANSPORT);
    }

    /**
     * Starts a daemon as {@link #startDaemon(String, String, NodeProcess, String, DaemonProcess)} does, elsewhere than
     * on plain loopback: e.g. inside a network namespace, where ice4j should harvest the namespace's real interfaces.
     * Its application API stays on 127.0.0.1 (of its own network namespace).
     *
     * @param commandPrefix put in front of the java command line, e.g. {@code ip netns exec gcsl-cone1} (empty: none)
     * @param transportConfig the whole configuration of PID {@code org.gcs.transport.ice}; an empty map keeps every
     *        default (host candidates from all interfaces); {@link #LOOPBACK_TRANSPORT} is what the other methods use
     */
    public DaemonProcess startDaemon(String name, String device, NodeProcess node, String privacyMode, DaemonProcess sameUserAs,
            List<String> commandPrefix, Map<String, String> transportConfig) throws IOException, InterruptedException {
        Map<String, String> nodeEntries = new LinkedHashMap<>();
        nodeEntries.put("node.host", node.host());
        nodeEntries.put("node.port", Integer.toString(node.tlsPort()));
        nodeEntries.put("node.id", node.nodeId());
        return startDaemon(name, device, nodeEntries, privacyMode, sameUserAs, commandPrefix, transportConfig, null);
    }

    /**
     * A BNS user's identity as her daemon is given it: her name and the private key of the wallet account that owns
     * it (64 hex digits), which the daemon reads from its key file.
     */
    public record BnsIdentity(String name, String privateKeyHex) {
    }

    /**
     * Starts a daemon for a BNS user on {@code device}, logging in to {@code node}: {@code scheme=bns}, her name, and
     * her wallet key imported into {@code state/bns.key} (owner-only). Set {@link #nameService} first: the daemon
     * checks at start that the key owns the name.
     */
    public DaemonProcess startBnsDaemon(String name, String device, NodeProcess node, String privacyMode,
            BnsIdentity identity) throws IOException, InterruptedException {
        Map<String, String> nodeEntries = new LinkedHashMap<>();
        nodeEntries.put("node.host", node.host());
        nodeEntries.put("node.port", Integer.toString(node.tlsPort()));
        nodeEntries.put("node.id", node.nodeId());
        return startDaemon(name, device, nodeEntries, privacyMode, null, List.of(), LOOPBACK_TRANSPORT, identity);
    }

    /**
     * Starts a daemon that finds its user's handler nodes through {@code bootstrapNodes} (its {@code bootstrap.nodes},
     * in this order) instead of logging in to one given node: it asks the first reachable one for the user's handlers
     * and moves to the first handler. {@link DaemonProcess#awaitLogin} tells where it ended.
     *
     * @param sameUserAs a daemon whose user key this one gets (a second device of that user), or {@code null}
     */
    public DaemonProcess startDaemon(String name, String device, List<NodeProcess> bootstrapNodes, String privacyMode,
            DaemonProcess sameUserAs) throws IOException, InterruptedException {
        if (bootstrapNodes.isEmpty()) {
            throw new IllegalArgumentException("a daemon needs at least one bootstrap node");
        }
        Map<String, String> nodeEntries = Map.of("bootstrap.nodes",
                String.join(",", bootstrapNodes.stream().map(NodeProcess::daemonAddress).toList()));
        return startDaemon(name, device, nodeEntries, privacyMode, sameUserAs, List.of(), LOOPBACK_TRANSPORT, null);
    }

    private DaemonProcess startDaemon(String name, String device, Map<String, String> nodeEntries, String privacyMode,
            DaemonProcess sameUserAs, List<String> commandPrefix, Map<String, String> transportConfig, BnsIdentity bns)
            throws IOException, InterruptedException {
        Path dir = workDir.resolve(name);
        Files.createDirectories(dir);
        if (sameUserAs != null) {
            Files.createDirectories(dir.resolve("state"));
            Files.copy(sameUserAs.process().dir().resolve("state/user.key"), dir.resolve("state/user.key"),
                    StandardCopyOption.REPLACE_EXISTING);
        }
        Path friends = dir.resolve("friends.txt");
        if (!Files.exists(friends)) {
            Files.writeString(friends, "# <user id> <petname>\n");
        }
        Map<String, String> daemon = new LinkedHashMap<>(nodeEntries);
        daemon.put("device", device);
        daemon.put("key.file", "state/user.key");
        if (bns != null) {
            Path key = dir.resolve("state/bns.key");
            Files.createDirectories(key.getParent(), java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
                    java.nio.file.attribute.PosixFilePermissions.fromString("rwx------")));
            Files.deleteIfExists(key);
            Files.createFile(key, java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
                    java.nio.file.attribute.PosixFilePermissions.fromString("rw-------")));
            Files.writeString(key, bns.privateKeyHex() + "\n");
            daemon.put("scheme", "bns");
            daemon.put("name", bns.name());
            daemon.put("key.file", "state/bns.key");
            daemon.put("CredentialStore.target", "(gcs.auth.scheme=bns)");
        }
        daemon.put("friends.file", "friends.txt");
        daemon.put("privacy.mode", privacyMode);
        daemon.put("api.host", "127.0.0.1");
        daemon.put("api.port", "0");
        daemon.put("state.dir", "state");
        writeConfig(dir, "org.gcs.daemon", daemon);
        writeConfig(dir, "org.gcs.transport.ice", transportConfig);
        writeNameService(dir);
        clearReadiness(dir, "state/user-id", "state/api.socket", "state/api.port");
        RoleProcess process = start(name, dir, prefixed(commandPrefix,
                RoleProcess.java("-jar", assemblyTarget.resolve("daemon.jar").toString())));
        String userId = process.awaitText("state/user-id", START_TIMEOUT);
        int apiPort = Integer.parseInt(process.awaitText("state/api.port", START_TIMEOUT));
        return new DaemonProcess(process, userId, apiPort);
    }

    /** Starts any other command (an example application) in {@code workDir/name}, tracked and ended like the roles. */
    public RoleProcess startProcess(String name, List<String> command) throws IOException {
        return start(name, workDir.resolve(name), command);
    }

    private RoleProcess start(String name, Path dir, List<String> command) throws IOException {
        RoleProcess process = new RoleProcess(name, dir, command, echo, echoFilter);
        synchronized (processes) {
            processes.add(process);
        }
        return process;
    }

    /** Removes what an earlier run wrote to say it was ready, so that only this run's files are read. */
    private static void clearReadiness(Path dir, String... files) throws IOException {
        for (String file : files) {
            Files.deleteIfExists(dir.resolve(file));
        }
    }

    /** Deletes {@code dir} and everything below it, for a cluster that must start with new users. */
    public static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (var paths = Files.walk(dir)) {
            for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    /** Writes a ConfigAdmin {@code .cfg} file for FileInstall, atomically so it is never read half-written. */
    static void writeConfig(Path dir, String pid, Map<String, String> properties) throws IOException {
        Path etc = dir.resolve("etc");
        Files.createDirectories(etc);
        StringBuilder text = new StringBuilder();
        properties.forEach((k, v) -> text.append(k).append('=').append(v.replace("\\", "\\\\")).append('\n'));
        Path tmp = etc.resolve(pid + ".tmp");
        Files.writeString(tmp, text, StandardCharsets.UTF_8);
        Files.move(tmp, etc.resolve(pid + ".cfg"), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    /** Ends every process this cluster started, newest first. */
    @Override
    public void close() {
        List<RoleProcess> all;
        synchronized (processes) {
            all = new ArrayList<>(processes);
            processes.clear();
        }
        for (int i = all.size() - 1; i >= 0; i--) {
            all.get(i).close();
        }
    }
}
