package org.gcs.launcher;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.gcs.api.DeviceId;
import org.gcs.api.UserId;
import org.gcs.client.GcsClient;

/**
 * The local demo: a central node, a daemon for Alice (laptop) and one for Bob (phone), and the example file sender
 * moving a file from Alice's app to Bob's over the P2P channel. Every protocol step the processes log is printed; the
 * exit status is 0 only if the file arrived with the SHA-256 it was sent with and the node did not carry it.
 * Distributed, the same transfer runs over three Kademlia nodes with Alice and Bob on different handler nodes
 * ({@link DistributedStart}). With BNS, Alice is {@code alice.id}, a name registered in the offline BNS registry to a
 * wallet key made for the demo, Bob a {@code pk} user, and each proves its user to the other over the P2P channel.
 */
public final class Demo {
    private static final Pattern LOG_RECORD = Pattern.compile("^\\d\\d:\\d\\d:\\d\\d\\.\\d{3} ");
    private static final int FILE_BYTES = 8 * 1024 * 1024;

    private final Path workDir;
    private final PrintStream out;
    private final boolean distributed;
    private final Variant variant;

    /** Which deployment the demo runs. */
    public enum Variant {
        /** One central node, two pk users. */
        CENTRAL,
        /** Three nodes with the Kademlia router, Alice and Bob handled by different nodes. */
        DISTRIBUTED,
        /** One central node; Alice is a BNS user (offline registry), Bob a pk user; both ends authenticated. */
        BNS
    }

    /** The central demo. */
    public Demo(Path workDir, PrintStream out) {
        this(workDir, out, Variant.CENTRAL);
    }

    /**
     * @param distributed {@code true}: three nodes with the Kademlia router instead of one central node, Alice and Bob
     *        handled by different nodes
     */
    public Demo(Path workDir, PrintStream out, boolean distributed) {
        this(workDir, out, distributed ? Variant.DISTRIBUTED : Variant.CENTRAL);
    }

    public Demo(Path workDir, PrintStream out, Variant variant) {
        this.workDir = workDir.toAbsolutePath();
        this.out = out;
        this.variant = variant;
        this.distributed = variant == Variant.DISTRIBUTED;
    }

    /** What the demo shows: GCS's own log records, and everything the example applications print. */
    static boolean shown(String line) {
        if (LocalCluster.isProtocolStep(line)) {
            return true;
        }
        return !LOG_RECORD.matcher(line).find() && !line.startsWith("\t") && !line.startsWith("Caused by")
                && !line.startsWith("java.") && !line.isBlank();
    }

    public int run() throws Exception {
        Path assembly = LocalCluster.findAssembly();
        Path examplesJar = assembly.getParent().getParent().resolve("examples/target/gcs-examples.jar");
        if (!Files.isRegularFile(examplesJar)) {
            throw new IllegalStateException(examplesJar + " is missing: build with ./mvnw -B install -DskipTests");
        }
        LocalCluster.deleteTree(workDir);
        org.gcs.bns.registry.BnsRegistry registry = null;
        try (LocalCluster cluster = new LocalCluster(workDir, assembly, out, Demo::shown)) {
            DemoDeployment deployment;
            switch (variant) {
                case DISTRIBUTED -> deployment = new DistributedStart(cluster, this::step).run();
                case BNS -> {
                    registry = startRegistry(cluster);
                    deployment = startCentral(cluster);
                }
                default -> deployment = startCentral(cluster);
            }
            DaemonProcess alice = deployment.alice();
            DaemonProcess bob = deployment.bob();

            boolean bns = variant == Variant.BNS;
            step("3. They add each other to their friends lists (uploaded to the node that handles each of them: it filters"
                    + " everyone else)" + (bns ? "; +auth: each end proves its user to the other over the P2P channel" : ""));
            alice.writeFriends(Map.of(bob.userId(), bns ? "+auth Bob" : "Bob"));
            bob.writeFriends(Map.of(alice.userId(), bns ? "+auth Alice" : "Alice"));
            awaitFriend(alice, bob.userId());
            awaitFriend(bob, alice.userId());

            step("4. Bob's file receiver (app 'files') tells his daemon it listens");
            Path inbox = workDir.resolve("bob-inbox");
            Files.createDirectories(inbox);
            RoleProcess receiver = cluster.startProcess("bob-app", RoleProcess.java("-jar", examplesJar.toString(),
                    "filesend", "receive", "--daemon-state", bob.stateDir().toString(), "--dir", inbox.toString(), "--once"));
            awaitLog(receiver, "listening", Duration.ofSeconds(30));

            step("5. Alice's app asks her daemon which of Bob's devices are online");
            try (GcsClient app = GcsClient.local(alice.stateDir())) {
                List<DeviceId> devices = app.availableDevices(UserId.parse(bob.userId())).get(10, TimeUnit.SECONDS);
                step("   Bob's devices: " + devices);
            }

            Path file = workDir.resolve("alice-files/holiday-photos.bin");
            Files.createDirectories(file.getParent());
            byte[] content = new byte[FILE_BYTES];
            new Random(2026).nextBytes(content);
            Files.write(file, content);
            String sentSha = sha256(file);
            long before = deployment.nodeBytes();
            step("6. Alice's file sender connects to Bob's phone and sends " + FILE_BYTES / (1024 * 1024)
                    + " MiB over the P2P channel (sha256 " + sentSha + ")");
            RoleProcess sender = cluster.startProcess("alice-app", RoleProcess.java("-jar", examplesJar.toString(),
                    "filesend", "send", "--daemon-state", alice.stateDir().toString(), "--user", bob.userId(),
                    "--device", "phone", "--file", file.toString()));
            int sent = sender.waitFor(Duration.ofSeconds(120));
            int received = receiver.waitFor(Duration.ofSeconds(60));
            Thread.sleep(distributed ? 2500 : 1500); // nodes write their counters every second, routers every 2 s
            long nodeBytes = deployment.nodeBytes() - before;

            step("7. Check");
            Path arrived = inbox.resolve(file.getFileName());
            boolean same = Files.isRegularFile(arrived) && sha256(arrived).equals(sentSha);
            step("   sender exit " + sent + ", receiver exit " + received);
            step("   received " + arrived + (same ? " with the same sha256" : " MISSING OR DIFFERENT"));
            step("   " + deployment.trafficName() + " carried " + nodeBytes + " bytes during the transfer of " + FILE_BYTES
                    + " payload bytes");
            boolean bypassed = nodeBytes < FILE_BYTES / 10;
            boolean proven = !bns || bob.process().log().contains("both ends authenticated");
            if (bns) {
                step("   Bob's daemon " + (proven ? "checked Alice's proof: the key that signed it owns alice.id in the"
                        + " registry, and she checked his" : "DID NOT authenticate Alice"));
            }
            if (sent == 0 && received == 0 && same && bypassed && proven) {
                step("DEMO OK: the file went peer to peer; " + (distributed ? "the nodes" : "the node") + " only relayed signaling");
                return 0;
            }
            step("DEMO FAILED" + (proven ? "" : ": the ends were not authenticated") + (bypassed ? "" : ": " + deployment.trafficName() + " carried payload-sized traffic") + "; logs are in "
                    + workDir);
            return 1;
        } finally {
            if (registry != null) {
                registry.close();
            }
        }
    }

    /**
     * The BNS variant's name service: the offline registry on loopback, with {@code alice.id} registered to the address
     * of a wallet key made for this run; every role checks names with it.
     */
    private org.gcs.bns.registry.BnsRegistry startRegistry(LocalCluster cluster) throws IOException {
        step("0. Start the offline BNS registry (the Stacks name services' API, on loopback) and register alice.id to a"
                + " wallet key made for the demo");
        byte[] key = new byte[32];
        java.security.SecureRandom random = new java.security.SecureRandom();
        do {
            random.nextBytes(key);
            key[0] &= 0x7f; // below the curve order
        } while (key[0] == 0);
        aliceWalletKey = HexFormat.of().formatHex(key);
        String address = org.gcs.auth.bns.StacksAddress.of(org.gcs.auth.bns.Secp256k1.publicKey(key), true).toString();
        org.gcs.bns.registry.BnsRegistry registry = org.gcs.bns.registry.BnsRegistry.start(
                new java.net.InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), 0), null);
        registry.register("alice.id", address);
        cluster.nameService(Map.of("url", registry.url().toString()));
        step("   " + registry.url() + ": alice.id is owned by " + address);
        return registry;
    }

    /** The BNS variant's wallet key for Alice (64 hex digits), made by {@link #startRegistry}. */
    private String aliceWalletKey;

    private void step(String text) {
        out.println(text);
    }

    /** One central node and both users' daemons logged in to it. */
    private DemoDeployment startCentral(LocalCluster cluster) throws IOException, InterruptedException {
        step("1. Start a central GCS node (TLS for daemons, STUN for ICE) on loopback");
        NodeProcess node = cluster.startCentral();
        step("   node id " + node.nodeId() + ", TLS port " + node.tlsPort() + ", STUN port " + node.stunPort());

        DaemonProcess alice;
        if (variant == Variant.BNS) {
            step("2. Start Alice's daemon as alice.id (her wallet key imported; it checks that the key owns the name) and"
                    + " Bob's as a pk user (his key made on first start)");
            alice = cluster.startBnsDaemon("alice", "laptop", node, "upload",
                    new LocalCluster.BnsIdentity("alice.id", aliceWalletKey));
        } else {
            step("2. Start Alice's daemon on her laptop and Bob's on his phone; each creates its user's key");
            alice = cluster.startDaemon("alice", "laptop", node, "upload");
        }
        DaemonProcess bob = cluster.startDaemon("bob", "phone", node, "upload");
        step("   Alice is " + alice.userId());
        step("   Bob   is " + bob.userId());
        return new DemoDeployment(alice, bob, "the node", () -> tlsBytes(node));
    }

    /** The bytes a node exchanged with daemons over TLS so far, as its {@code stats.properties} last said. */
    static long tlsBytes(NodeProcess node) throws IOException {
        Properties stats = node.stats();
        return Long.parseLong(stats.getProperty("tls.bytes.in", "0")) + Long.parseLong(stats.getProperty("tls.bytes.out", "0"));
    }

    private static void awaitFriend(DaemonProcess daemon, String friend) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        try (GcsClient app = GcsClient.local(daemon.stateDir())) {
            while (System.nanoTime() < deadline) {
                if (app.friends().get(10, TimeUnit.SECONDS).stream().anyMatch(f -> f.user().toString().equals(friend))) {
                    return;
                }
                Thread.sleep(100);
            }
        }
        throw new IllegalStateException(daemon.process().name() + " did not pick up its friends list");
    }

    static void awaitLog(RoleProcess process, String text, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (process.log().contains(text)) {
                return;
            }
            if (!process.isAlive()) {
                throw new IllegalStateException(process.name() + " exited before '" + text + "':\n" + process.log());
            }
            Thread.sleep(50);
        }
        throw new IllegalStateException(process.name() + " did not print '" + text + "' within " + timeout);
    }

    static String sha256(Path file) throws IOException {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            try (InputStream in = new DigestInputStream(Files.newInputStream(file), digest)) {
                in.transferTo(OutputStream.nullOutputStream());
            }
            return HexFormat.of().formatHex(digest.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
