package org.gcs.itests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.gcs.api.AppId;
import org.gcs.api.DeviceId;
import org.gcs.api.UserId;
import org.gcs.bns.registry.BnsRegistry;
import org.gcs.client.GcsClient;
import org.gcs.client.IncomingDecision;
import org.gcs.client.Listener;
import org.gcs.client.PeerConnection;
import org.gcs.launcher.DaemonProcess;
import org.gcs.launcher.LocalCluster;
import org.gcs.launcher.NodeProcess;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The seed's "Prove Identity" figure end to end, every role a process: Alice is a BNS user ({@code alice.id}, her
 * wallet key imported), Bob a {@code pk} user; both daemons run in mode {@code local-authenticated}, so a channel opens
 * only after each end proved its user over the P2P channel, Alice's proof checked by Bob's daemon against the offline
 * registry. The node checks her name at login. Each opens a channel to the other and bytes arrive intact; once the name
 * is transferred to another wallet, the node disconnects her daemon at its next re-verification (test last, by name).
 */
@Timeout(180)
@org.junit.jupiter.api.TestMethodOrder(org.junit.jupiter.api.MethodOrderer.MethodName.class)
class BnsEndToEndIT {
    /** A wallet key from FACTS.md's vectors and its mainnet address. */
    private static final String WALLET_KEY = "edf9aee84d9b7abc145504dde6726c64f369d37ee34ded868fabd876c26570bc";
    private static final String WALLET_ADDRESS = "SPAW66WC3G8WA5F28JVNG1NTRJ6H76E7EN5H6QQD";
    private static final UserId ALICE = UserId.parse("bns:alice.id");
    private static final AppId FILES = AppId.of("files");

    private static BnsRegistry registry;
    private static LocalCluster cluster;
    private static NodeProcess node;
    private static DaemonProcess alice;
    private static DaemonProcess bob;

    @BeforeAll
    static void start() throws Exception {
        registry = BnsRegistry.start(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), null);
        registry.register("alice.id", WALLET_ADDRESS);
        Path work = Path.of(System.getProperty("gcs.work.dir", "target/e2e")).resolve("BnsEndToEndIT");
        LocalCluster.deleteTree(work);
        cluster = new LocalCluster(work, RoleBundles.assemblyDir().resolve("target"), null);
        cluster.nameService(Map.of("url", registry.url().toString(), "cache.ttl.seconds", "2"));
        node = cluster.startCentral(List.of(), Map.of("reverify.seconds", "2"));
        alice = cluster.startBnsDaemon("alice", "laptop", node, "local-authenticated",
                new LocalCluster.BnsIdentity("Alice.id", WALLET_KEY));
        bob = cluster.startDaemon("bob", "phone", node, "local-authenticated");
        assertEquals(ALICE.toString(), alice.userId(), "her id is her name, in its canonical case");
        alice.writeFriends(Map.of(bob.userId(), "Bob"));
        bob.writeFriends(Map.of("bns:ALICE.id", "Alice")); // any case names the same user
        alice.awaitLogin(Duration.ofSeconds(30));
        bob.awaitLogin(Duration.ofSeconds(30));
        awaitFriend(alice, UserId.parse(bob.userId()));
        awaitFriend(bob, ALICE);
    }

    @AfterAll
    static void stop() {
        if (cluster != null) {
            cluster.close();
        }
        if (registry != null) {
            registry.close();
        }
    }

    @Test
    void aBnsUserAndAPkUserOpenAuthenticatedChannelsBothWaysAndTheBytesArrive() throws Exception {
        UserId bobId = UserId.parse(bob.userId());
        byte[] payload = new byte[1024 * 1024];
        new Random(7).nextBytes(payload);
        try (GcsClient bobApp = GcsClient.local(bob.stateDir());
                Listener bobListens = bobApp.listen(FILES, request -> IncomingDecision.accept());
                GcsClient aliceApp = GcsClient.local(alice.stateDir());
                Listener aliceListens = aliceApp.listen(FILES, request -> IncomingDecision.accept())) {
            PeerConnection out = aliceApp.open(bobId, DeviceId.of("phone"), FILES).get(60, TimeUnit.SECONDS);
            PeerConnection in = bobListens.accept(Duration.ofSeconds(30));
            assertNotNull(in, "Bob's app got the pipe");
            assertEquals(ALICE, in.remoteUser(), "Bob's app sees the caller by her name");
            Transfers.sendAndCheck(out, in, payload);

            PeerConnection back = bobApp.open(ALICE, DeviceId.of("laptop"), FILES).get(60, TimeUnit.SECONDS);
            PeerConnection atAlice = aliceListens.accept(Duration.ofSeconds(30));
            assertNotNull(atAlice, "Alice's app got the pipe");
            assertEquals(bobId, atAlice.remoteUser());
            Transfers.sendAndCheck(back, atAlice, payload);
        }
        assertTrue(bob.process().log().contains("both ends authenticated"), "Bob's daemon checked Alice's proof");
        assertTrue(alice.process().log().contains("both ends authenticated"), "Alice's daemon checked Bob's proof");
    }

    /** Runs last (by name): it gives Alice's name away. */
    @Test
    void zTransferredNameDisconnectsAliceAtTheNextReverification() throws Exception {
        registry.transfer("alice.id", "SP2J6ZY48GV1EZ5V2V5RB9MP66SW86PYKKNRV9EJ7");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!alice.process().log().contains("alice.id is owned by SP2J6ZY48GV1EZ5V2V5RB9MP66SW86PYKKNRV9EJ7")) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("Alice's daemon was not told:\n" + alice.process().log());
            }
            Thread.sleep(200);
        }
        try (GcsClient bobApp = GcsClient.local(bob.stateDir())) {
            deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (true) { // the node detaches her session a moment after telling her
                try {
                    bobApp.availableDevices(ALICE).get(10, TimeUnit.SECONDS);
                } catch (ExecutionException e) {
                    assertInstanceOf(org.gcs.api.UnknownUserException.class, e.getCause(), "she is offline for good");
                    break;
                }
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("Bob still sees Alice's device after her name moved");
                }
                Thread.sleep(200);
            }
        }
        assertTrue(node.process().isAlive() && bob.process().isAlive());
    }

    private static void awaitFriend(DaemonProcess daemon, UserId friend) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline) {
            try (GcsClient app = GcsClient.local(daemon.stateDir())) {
                if (app.nodeConnected() && app.friends().get(10, TimeUnit.SECONDS).stream()
                        .anyMatch(f -> f.user().equals(friend))) {
                    return;
                }
            }
            Thread.sleep(100);
        }
        throw new AssertionError(daemon.process().name() + " never listed " + friend + ":\n" + daemon.process().log());
    }
}
