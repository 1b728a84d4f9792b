package org.gcs.itests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.LocalTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Random;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.gcs.api.AppId;
import org.gcs.api.DeviceId;
import org.gcs.api.UnknownUserException;
import org.gcs.api.UserId;
import org.gcs.api.transport.PathKind;
import org.gcs.client.GcsClient;
import org.gcs.client.IncomingDecision;
import org.gcs.client.Listener;
import org.gcs.client.PeerConnection;
import org.gcs.client.Status;
import org.gcs.launcher.DaemonProcess;
import org.gcs.launcher.KademliaNodeProcess;
import org.gcs.launcher.LocalCluster;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;

/**
 * The distributed role end to end, every role a separate process on loopback: five {@code kademlia.jar} nodes (node2
 * to node5 join the DHT through node1), and daemons of Alice, Bob and Carol that each know only one bootstrap node,
 * one that is not among their user's handlers, and so must ask it where to log in. Alice and Bob end up on different
 * handler nodes, so every control message between them crosses a node-to-node link; the file does not. Then the node
 * Bob is attached to, node1, dies (SIGKILL): Bob moves to his next handler and is callable again. node1 comes back in
 * its directory; as the first node it has no bootstrap list and rejoins through the contacts it remembered, then
 * serves a user whose first handler it is.
 *
 * <p>The users' keys are made by the test ({@link KademliaUsers}) so that their handlers are known before their
 * daemons first start. The steps depend on each other and run in order.
 */
@Timeout(120)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DistributedIT {
    private static final int NODES = 5;
    private static final int REPLICAS = 3;
    private static final int TEN_MB = 10 * 1024 * 1024;
    private static final long ONE_MB = 1024 * 1024;
    private static final AppId FILES = AppId.of("files");
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final Duration CALLABLE_WAIT = Duration.ofSeconds(15);
    /** Keys made for a user until her first handler is the wanted one; with a 1 in 5 chance each, 64 all fail at 6e-7. */
    private static final int MAX_KEYS = 64;
    private static final Pattern LOGGED_IN = Pattern.compile(
            "(\\d\\d:\\d\\d:\\d\\d\\.\\d{3}) \\S+ \\S+: logged in to node ([0-9a-f]{64}) at ");

    private static Path work;
    private static LocalCluster cluster;
    private static final List<KademliaNodeProcess> nodes = new ArrayList<>();
    private static final Map<String, String> names = new LinkedHashMap<>();
    private static final Map<DaemonProcess, List<String>> handlersOf = new LinkedHashMap<>();
    private static final Map<DaemonProcess, KademliaNodeProcess> bootstrapOf = new LinkedHashMap<>();
    private static DaemonProcess alice;
    private static DaemonProcess bob;
    private static DaemonProcess carol;
    private static UserId bobId;
    /** Per node: bytes its daemon connections and node links carried while the 10 MB went from Alice to Bob. */
    private static final Map<String, Long> carriedDuringTransfer = new LinkedHashMap<>();

    @BeforeAll
    static void startNodes() throws Exception {
        work = Path.of(System.getProperty("gcs.work.dir", "target/e2e")).resolve("DistributedIT");
        LocalCluster.deleteTree(work);
        cluster = new LocalCluster(work, RoleBundles.assemblyDir().resolve("target"), null);
        KademliaNodeProcess first = cluster.startKademlia("node1", List.of());
        nodes.add(first);
        for (int i = 2; i <= NODES; i++) {
            nodes.add(cluster.startKademlia("node" + i, List.of(first)));
        }
        for (KademliaNodeProcess node : nodes) {
            names.put(node.nodeId(), node.name());
        }
    }

    @AfterAll
    static void stopAll() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    @Order(1)
    void fiveNodesEachLearnTheOtherFour() throws Exception {
        for (KademliaNodeProcess node : nodes) {
            awaitStatus(node, "dht.contacts", NODES - 1);
        }
        for (KademliaNodeProcess node : nodes) {
            assertEquals(NODES - 1, node.statusCount("dht.contacts"), node + ": " + node.status());
            assertEquals("true", node.status().getProperty("dht.joined"), node + " joined");
        }
    }

    @Test
    @Order(2)
    void daemonsAskANonHandlerBootstrapNodeAndLogInAtTheirFirstHandler() throws Exception {
        Path aliceDir = work.resolve("alice");
        Path bobDir = work.resolve("bob");
        Path carolDir = work.resolve("carol");
        // Bob is handled first by node1, which is killed later: the seed, started with no bootstrap list, so it can
        // rejoin only through the contacts it remembered; Alice is handled first elsewhere
        String seed = nodes.get(0).nodeId();
        String aliceUser = userWithFirstHandler(aliceDir, first -> !first.equals(seed));
        String bobUser = userWithFirstHandler(bobDir, first -> first.equals(seed));
        String carolUser = KademliaUsers.newUser(carolDir);
        KademliaUsers.writeFriends(aliceDir, Map.of(bobUser, "Bob"));
        KademliaUsers.writeFriends(bobDir, Map.of(aliceUser, "Alice"));
        KademliaUsers.writeFriends(carolDir, Map.of(bobUser, "Bob"));

        alice = startDaemonOutsideHandlers("alice", "laptop", aliceUser);
        bob = startDaemonOutsideHandlers("bob", "phone", bobUser);
        carol = startDaemonOutsideHandlers("carol", "desktop", carolUser);
        bobId = UserId.parse(bobUser);

        assertNotEquals(alice.loggedInNode(), bob.loggedInNode(), "Alice and Bob are on different handler nodes");
        System.out.printf("DistributedIT: Alice on %s, Bob on %s (then %s), Carol on %s%n", names.get(alice.loggedInNode()),
                names.get(bob.loggedInNode()), names.get(handlersOf.get(bob).get(1)), names.get(carol.loggedInNode()));
    }

    @Test
    @Order(3)
    void alicesAppSeesBobsDeviceThroughTheNodes() throws Exception {
        try (GcsClient app = GcsClient.local(alice.stateDir())) {
            assertEquals(List.of(DeviceId.of("phone")), awaitDevices(app, bobId));
        }
    }

    @Test
    @Order(4)
    void tenMegabytesGoFromAliceToBobPeerToPeer() throws Exception {
        byte[] payload = new byte[TEN_MB];
        new Random(42).nextBytes(payload);
        try (GcsClient bobApp = GcsClient.local(bob.stateDir());
             Listener listener = bobApp.listen(FILES, request -> IncomingDecision.accept());
             GcsClient aliceApp = GcsClient.local(alice.stateDir())) {
            Map<String, Long> before = carriedSoFar();
            PeerConnection out = aliceApp.open(bobId, DeviceId.of("phone"), FILES).get(60, TimeUnit.SECONDS);
            PeerConnection in = listener.accept(Duration.ofSeconds(30));
            assertTrue(in != null, "Bob's app got the pipe");
            assertEquals(UserId.parse(alice.userId()), in.remoteUser(), "Bob sees the authenticated caller");
            assertEquals(PathKind.HOST, out.path());
            Transfers.sendAndCheck(out, in, payload);

            awaitCountersWrittenAfter(FileTime.fromMillis(System.currentTimeMillis()));
            Map<String, Long> after = carriedSoFar();
            after.forEach((node, bytes) -> carriedDuringTransfer.put(node, bytes - before.get(node)));
        }
    }

    @Test
    @Order(5)
    void bobsAppRejectsAndAliceIsToldSo() throws Exception {
        AppId chat = AppId.of("chat");
        AtomicInteger asked = new AtomicInteger();
        try (GcsClient bobApp = GcsClient.local(bob.stateDir());
             Listener listener = bobApp.listen(chat, request -> {
                 asked.incrementAndGet();
                 return IncomingDecision.reject();
             });
             GcsClient aliceApp = GcsClient.local(alice.stateDir())) {
            ExecutionException e = assertThrows(ExecutionException.class,
                    () -> aliceApp.open(bobId, DeviceId.of("phone"), chat).get(60, TimeUnit.SECONDS));
            assertEquals(Optional.of(Status.REJECTED), Status.of(e));
            assertEquals(1, asked.get(), "Bob's application was asked and said no");
        }
    }

    @Test
    @Order(6)
    void carolWhoIsNoFriendOfBobIsRefusedAtHisHandlerAndBobNeverHearsOfIt() throws Exception {
        AtomicInteger asked = new AtomicInteger();
        AppId inbox = AppId.of("inbox");
        try (GcsClient bobApp = GcsClient.local(bob.stateDir());
             Listener listener = bobApp.listen(inbox, request -> {
                 asked.incrementAndGet();
                 return IncomingDecision.accept();
             });
             GcsClient carolApp = GcsClient.local(carol.stateDir())) {
            ExecutionException devices = assertThrows(ExecutionException.class,
                    () -> carolApp.availableDevices(bobId).get(30, TimeUnit.SECONDS));
            assertInstanceOf(UnknownUserException.class, devices.getCause(), "Carol may not see Bob's devices, nor that he is online");
            ExecutionException e = assertThrows(ExecutionException.class,
                    () -> carolApp.open(bobId, DeviceId.of("phone"), inbox).get(60, TimeUnit.SECONDS));
            assertInstanceOf(UnknownUserException.class, e.getCause());
            assertEquals(Optional.of(Status.UNKNOWN_USER), Status.of(e));
            Thread.sleep(500); // a request that slipped through would reach Bob's daemon well within this
            assertEquals(0, asked.get(), "Bob's application was never asked");
            assertTrue(bob.process().log().lines().noneMatch(l -> l.contains(carol.userId())),
                    "Bob's daemon never heard of Carol");
        }
    }

    @Test
    @Order(7)
    void noNodeCarriedTheFile() throws Exception {
        assertEquals(NODES, carriedDuringTransfer.size(), "counters of every node were read: " + carriedDuringTransfer);
        for (KademliaNodeProcess node : nodes) {
            long during = carriedDuringTransfer.get(node.name());
            long total = carried(node);
            System.out.printf("DistributedIT: %s carried %d bytes during the 10 MB transfer, %d bytes since start%n",
                    node.name(), during, total);
            assertTrue(during < ONE_MB, node + " carried " + during + " bytes during a " + TEN_MB + " byte transfer");
            assertTrue(total < ONE_MB, node + " carried " + total + " bytes in all");
        }
    }

    @Test
    @Order(8)
    void whenBobsNodeDiesHeMovesToHisNextHandlerAndIsCallableAgain() throws Exception {
        String bobNode = bob.loggedInNode();
        List<String> bobHandlers = handlersOf.get(bob);
        assertEquals(bobHandlers.get(0), bobNode);
        KademliaNodeProcess victim = node(bobNode);
        ConnectAttempts attempts;
        try (GcsClient bobApp = GcsClient.local(bob.stateDir());
             Listener listener = bobApp.listen(FILES, request -> IncomingDecision.accept(PeerConnection::close));
             GcsClient aliceApp = GcsClient.local(alice.stateDir())) {
            aliceApp.open(bobId, DeviceId.of("phone"), FILES).get(60, TimeUnit.SECONDS).close();

            LocalTime killedAt = LocalTime.now();
            long killed = System.nanoTime();
            victim.process().kill();
            assertFalse(victim.process().isAlive());
            attempts = connectUntilAccepted(aliceApp, killed);
            String moved = awaitLoginOtherThan(bob, bobNode);
            assertEquals(bobHandlers.get(1), moved, "Bob moved to his next handler");
            Duration relogin = Duration.between(killedAt, loginTime(bob, moved));
            System.out.printf("DistributedIT: killed %s; Bob logged in at %s after %d ms and was callable again after"
                    + " %d ms (%d connects tried, the last failed one: %s)%n", victim.name(), names.get(moved),
                    relogin.toMillis(), attempts.millis(), attempts.tried(), attempts.lastFailure());
            assertTrue(attempts.succeeded(), "Alice could not reach Bob within " + CALLABLE_WAIT + " of the kill ("
                    + attempts.tried() + " connects, last failure: " + attempts.lastFailure() + ")");
            assertTrue(aliceApp.availableDevices(bobId).get(30, TimeUnit.SECONDS).contains(DeviceId.of("phone")));
        }
    }

    @Test
    @Order(9)
    void theKilledNodeRejoinsAndServesAUserItHandlesFirst() throws Exception {
        KademliaNodeProcess victim = node(handlersOf.get(bob).get(0));
        assertFalse(victim.process().isAlive());
        KademliaNodeProcess back = cluster.restartKademlia(victim);
        nodes.set(nodes.indexOf(victim), back);
        assertEquals(victim.nodeId(), back.nodeId(), "same identity");
        awaitStatus(back, "dht.contacts", 1);
        for (KademliaNodeProcess node : nodes) {
            awaitStatus(node, "dht.contacts", NODES - 1); // the others know it again, and it knows them
        }

        Path daveDir = work.resolve("dave");
        String daveUser = userWithFirstHandler(daveDir, first -> first.equals(back.nodeId()));
        KademliaUsers.writeFriends(daveDir, Map.of(alice.userId(), "Alice"));
        DaemonProcess dave = startDaemonOutsideHandlers("dave", "tablet", daveUser);
        assertEquals(back.nodeId(), dave.loggedInNode(), "Dave logged in at the restarted node");
        awaitStatus(back, "devices.attached", 1);

        UserId daveId = UserId.parse(daveUser);
        try (GcsClient daveApp = GcsClient.local(dave.stateDir());
             Listener listener = daveApp.listen(FILES, request -> IncomingDecision.accept());
             GcsClient aliceApp = GcsClient.local(alice.stateDir())) {
            assertEquals(List.of(DeviceId.of("tablet")), awaitDevices(aliceApp, daveId));
            PeerConnection out = aliceApp.open(daveId, DeviceId.of("tablet"), FILES).get(60, TimeUnit.SECONDS);
            PeerConnection in = listener.accept(Duration.ofSeconds(30));
            assertTrue(in != null, "Dave's app got the pipe");
            out.output().write("hello Dave".getBytes(StandardCharsets.UTF_8));
            out.shutdownOutput();
            try (InputStream i = in.input()) {
                assertEquals("hello Dave", new String(i.readAllBytes(), StandardCharsets.UTF_8));
            }
            out.close();
            in.close();
        }
        System.out.printf("DistributedIT: %s back with %d DHT contacts; Dave asked %s and logged in there%n",
                back.name(), back.statusCount("dht.contacts"), bootstrapOf.get(dave).name());
    }

    // ----- steps

    /**
     * Starts a daemon for {@code user} (her key already in {@code work/name}) whose only bootstrap node is not one of
     * her handlers, and checks that it asked that node for her handlers, learned exactly the ones the DHT puts her at,
     * and logged in at the first.
     */
    private static DaemonProcess startDaemonOutsideHandlers(String name, String device, String user) throws Exception {
        List<String> handlers = placement(user);
        KademliaNodeProcess bootstrap = nodes.stream().filter(n -> !handlers.contains(n.nodeId())).findFirst().orElseThrow();
        DaemonProcess daemon = cluster.startDaemon(name, device, List.of(bootstrap.node()), "upload", null);
        handlersOf.put(daemon, handlers);
        bootstrapOf.put(daemon, bootstrap);
        assertEquals(user, daemon.userId(), "the daemon uses the key the test made");
        String loggedIn;
        try {
            loggedIn = daemon.awaitLogin(WAIT);
        } catch (IllegalStateException e) {
            throw new AssertionError(e.getMessage() + "\n" + daemon.process().log(), e);
        }
        String log = daemon.process().log();
        assertTrue(log.contains("connecting to node " + bootstrap.node().host() + ":" + bootstrap.node().tlsPort()
                + " (id " + bootstrap.nodeId() + ") to find the handlers"), name + " asked " + bootstrap.name() + ":\n" + log);
        assertTrue(log.contains("handlers of " + user + " are "), bootstrap.name() + " answered " + name + "'s query:\n" + log);
        assertEquals(handlers.get(0), loggedIn, name + " logged in at her first handler, not at " + names.get(loggedIn));
        assertEquals(handlers, daemon.handlers().stream().map(KademliaUsers::idOf).toList(),
                name + "'s daemon learned her " + REPLICAS + " closest nodes, closest first");
        awaitStats(bootstrap, "tls.bytes.in", 1);
        System.out.printf("DistributedIT: %s asked %s, handlers %s, logged in at %s%n", name, bootstrap.name(),
                handlers.stream().map(names::get).toList(), names.get(loggedIn));
        return daemon;
    }

    private record ConnectAttempts(boolean succeeded, long millis, int tried, String lastFailure) {
    }

    /** A connect from Alice to Bob every 200 ms (each allowed the rest of the wait) until one is accepted. */
    private static ConnectAttempts connectUntilAccepted(GcsClient aliceApp, long since) throws InterruptedException {
        long deadline = since + CALLABLE_WAIT.toNanos();
        int tried = 0;
        String last = null;
        while (System.nanoTime() < deadline) {
            tried++;
            try {
                long left = Math.max(1, deadline - System.nanoTime());
                aliceApp.open(bobId, DeviceId.of("phone"), FILES).get(left, TimeUnit.NANOSECONDS).close();
                return new ConnectAttempts(true, (System.nanoTime() - since) / 1_000_000, tried, last);
            } catch (ExecutionException e) {
                last = Status.of(e).map(Status::name).orElse("") + " " + e.getCause();
            } catch (TimeoutException e) {
                last = "no answer";
            }
            Thread.sleep(200);
        }
        return new ConnectAttempts(false, (System.nanoTime() - since) / 1_000_000, tried, last);
    }

    // ----- helpers

    /** Makes keys in {@code dir} until one names a user whose first handler {@code wanted} accepts; returns her id. */
    private static String userWithFirstHandler(Path dir, Predicate<String> wanted) throws IOException {
        for (int attempt = 1; attempt <= MAX_KEYS; attempt++) {
            String user = KademliaUsers.newUser(dir);
            if (wanted.test(placement(user).get(0))) {
                return user;
            }
        }
        throw new AssertionError(MAX_KEYS + " keys in " + dir + " all had another first handler");
    }

    /** Where the DHT of the current nodes puts {@code user}: her handler node ids, closest first. */
    private static List<String> placement(String user) {
        return KademliaUsers.handlers(user, nodes.stream().map(KademliaNodeProcess::nodeId).toList(), REPLICAS);
    }

    private static KademliaNodeProcess node(String id) {
        return nodes.stream().filter(n -> n.nodeId().equals(id)).findFirst().orElseThrow();
    }

    /** Bytes a node carried so far: its daemon connections (TLS), its STUN socket and its node-to-node links. */
    private static long carried(KademliaNodeProcess node) throws IOException {
        Properties stats = node.stats();
        return node.linkBytes() + count(stats, "tls.bytes.in") + count(stats, "tls.bytes.out")
                + count(stats, "stun.bytes.in") + count(stats, "stun.bytes.out");
    }

    private static Map<String, Long> carriedSoFar() throws IOException {
        Map<String, Long> bytes = new LinkedHashMap<>();
        for (KademliaNodeProcess node : nodes) {
            bytes.put(node.name(), carried(node));
        }
        return bytes;
    }

    /** Waits until every node has rewritten both its counter files since {@code since}. */
    private static void awaitCountersWrittenAfter(FileTime since) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        for (KademliaNodeProcess node : nodes) {
            for (String file : List.of("state/stats.properties", KademliaNodeProcess.STATUS_FILE)) {
                Path path = node.process().dir().resolve(file);
                while (Files.getLastModifiedTime(path).compareTo(since) <= 0) {
                    if (System.nanoTime() > deadline) {
                        throw new AssertionError(node + " did not rewrite " + file + " within 10 s");
                    }
                    Thread.sleep(100);
                }
            }
        }
    }

    private static List<DeviceId> awaitDevices(GcsClient app, UserId user) throws Exception {
        long deadline = System.nanoTime() + WAIT.toNanos();
        Throwable last = null;
        while (System.nanoTime() < deadline) {
            try {
                List<DeviceId> devices = app.availableDevices(user).get(10, TimeUnit.SECONDS);
                if (!devices.isEmpty()) {
                    return devices;
                }
            } catch (ExecutionException e) {
                last = e.getCause();
            }
            Thread.sleep(200);
        }
        throw new AssertionError(app.user() + " did not see a device of " + user + " within " + WAIT + ": " + last);
    }

    private static String awaitLoginOtherThan(DaemonProcess daemon, String node) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (System.nanoTime() < deadline) {
            String now = daemon.loggedInNode();
            if (now != null && !now.equals(node)) {
                return now;
            }
            Thread.sleep(50);
        }
        throw new AssertionError(daemon.process().name() + " did not log in elsewhere than " + names.get(node) + ":\n"
                + daemon.process().log());
    }

    /** The time of the daemon's last "logged in to node" line for {@code node}. */
    private static LocalTime loginTime(DaemonProcess daemon, String node) {
        Matcher m = LOGGED_IN.matcher(daemon.process().log());
        LocalTime last = null;
        while (m.find()) {
            if (m.group(2).equals(node)) {
                last = LocalTime.parse(m.group(1));
            }
        }
        return last;
    }

    private static void awaitStatus(KademliaNodeProcess node, String key, long min) throws Exception {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (node.statusCount(key) < min) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError(node + ": " + key + " did not reach " + min + " within " + WAIT + ": " + node.status());
            }
            Thread.sleep(100);
        }
    }

    private static void awaitStats(KademliaNodeProcess node, String key, long min) throws Exception {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (count(node.stats(), key) < min) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError(node + ": " + key + " did not reach " + min + " within " + WAIT + ": " + node.stats());
            }
            Thread.sleep(100);
        }
    }

    private static long count(Properties p, String key) {
        return Long.parseLong(p.getProperty(key, "0").trim());
    }
}
