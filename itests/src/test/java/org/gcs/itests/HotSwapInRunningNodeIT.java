package org.gcs.itests;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.DataInputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.gcs.api.AppId;
import org.gcs.api.DeviceId;
import org.gcs.api.UnknownUserException;
import org.gcs.api.UserId;
import org.gcs.bns.registry.BnsRegistry;
import org.gcs.client.GcsClient;
import org.gcs.client.IncomingDecision;
import org.gcs.client.Listener;
import org.gcs.client.PeerConnection;
import org.gcs.launcher.DaemonProcess;
import org.gcs.launcher.LocalCluster;
import org.gcs.launcher.NodeProcess;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Hot swap of the BNS provider in a running {@code central.jar}, the way an operator does it: the node watches a
 * deploy directory ({@code etc/org.apache.felix.fileinstall-deploy.cfg}, README "Hot swap"). Putting the auth-bns jar
 * there replaces the running bundle in place, deleting it uninstalls the bundle, putting it back installs and starts
 * it. Meanwhile Bob and Carol ({@code pk}) keep a P2P channel open and exchange bytes after every step, and Alice
 * ({@code bns:alice.id}) is told why she was dropped each time and logs in again by herself.
 */
@Timeout(240)
class HotSwapInRunningNodeIT {
    private static final String WALLET_KEY = "edf9aee84d9b7abc145504dde6726c64f369d37ee34ded868fabd876c26570bc";
    private static final String WALLET_ADDRESS = "SPAW66WC3G8WA5F28JVNG1NTRJ6H76E7EN5H6QQD";
    private static final UserId ALICE = UserId.parse("bns:alice.id");
    private static final AppId ECHO = AppId.of("echo");

    @Test
    void updateUninstallAndInstallAuthBnsWhilePkUsersKeepTheirChannel() throws Exception {
        Path work = Path.of(System.getProperty("gcs.work.dir", "target/e2e")).resolve("HotSwapInRunningNodeIT");
        LocalCluster.deleteTree(work);
        Path deploy = work.resolve("node/deploy");
        Files.createDirectories(deploy);
        Files.createDirectories(work.resolve("node/etc"));
        Files.writeString(work.resolve("node/etc/org.apache.felix.fileinstall-deploy.cfg"),
                "felix.fileinstall.dir=deploy\nfelix.fileinstall.filter=.*\\\\.jar\nfelix.fileinstall.poll=500\n");
        Path authBns = RoleBundles.jar("org.gcs.auth.bns");
        try (BnsRegistry registry = BnsRegistry.start(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), null);
                LocalCluster cluster = new LocalCluster(work, RoleBundles.assemblyDir().resolve("target"), null)) {
            registry.register("alice.id", WALLET_ADDRESS);
            cluster.nameService(Map.of("url", registry.url().toString()));
            NodeProcess node = cluster.startCentral();
            DaemonProcess alice = cluster.startBnsDaemon("alice", "laptop", node, "upload",
                    new LocalCluster.BnsIdentity("alice.id", WALLET_KEY));
            DaemonProcess bob = cluster.startDaemon("bob", "phone", node, "upload");
            DaemonProcess carol = cluster.startDaemon("carol", "desk", node, "upload");
            alice.writeFriends(Map.of(bob.userId(), "Bob"));
            bob.writeFriends(Map.of(ALICE.toString(), "Alice", carol.userId(), "Carol"));
            carol.writeFriends(Map.of(bob.userId(), "Bob"));
            UserId bobId = UserId.parse(bob.userId());

            try (GcsClient carolApp = GcsClient.local(carol.stateDir());
                    Listener echo = carolApp.listen(ECHO, request -> IncomingDecision.accept());
                    GcsClient bobApp = GcsClient.local(bob.stateDir())) {
                awaitTrue(() -> sees(bobApp, ALICE) && sees(bobApp, UserId.parse(carol.userId())), "Bob sees both");
                PeerConnection toCarol = bobApp.open(UserId.parse(carol.userId()), DeviceId.of("desk"), ECHO)
                        .get(60, TimeUnit.SECONDS);
                PeerConnection atCarol = echo.accept(Duration.ofSeconds(30));
                assertNotNull(atCarol);
                Thread echoer = echoBack(atCarol);
                int round = 0;
                exchange(toCarol, ++round);

                // 1. the same jar into deploy/: FileInstall updates the running bundle in place
                Files.copy(authBns, deploy.resolve("gcs-auth-bns.jar"), StandardCopyOption.REPLACE_EXISTING);
                awaitDropped(alice, 1);
                awaitTrue(() -> sees(bobApp, ALICE), "Alice back after the update");
                exchange(toCarol, ++round);

                // 2. deleting it uninstalls the bundle: Alice is told, and stays out (BNS logins: unknown scheme)
                int refusedBefore = count(alice.process().log(), "refused login: UNKNOWN_SCHEME");
                Files.delete(deploy.resolve("gcs-auth-bns.jar"));
                awaitDropped(alice, 2);
                awaitLog(alice, "refused login: UNKNOWN_SCHEME", refusedBefore + 1);
                ExecutionException gone = assertThrows(ExecutionException.class,
                        () -> bobApp.availableDevices(ALICE).get(10, TimeUnit.SECONDS));
                assertInstanceOf(UnknownUserException.class, gone.getCause());
                exchange(toCarol, ++round);

                // 3. putting it back installs and starts it: Alice logs in again by herself
                Files.copy(authBns, deploy.resolve("gcs-auth-bns.jar"), StandardCopyOption.REPLACE_EXISTING);
                awaitTrue(() -> sees(bobApp, ALICE), "Alice back after the install");
                exchange(toCarol, ++round);

                assertTrue(bob.process().log().indexOf("lost node") < 0, "Bob never lost the node:\n" + bob.process().log());
                assertTrue(carol.process().log().indexOf("lost node") < 0, "Carol never lost the node");
                toCarol.close();
                echoer.join(10_000);
            }
            assertTrue(node.process().isAlive());
        }
    }

    /** Bob sends a numbered block over his channel to Carol; her app echoes it; what comes back must match. */
    private static void exchange(PeerConnection channel, int round) throws Exception {
        byte[] block = new byte[64 * 1024];
        java.util.Arrays.fill(block, (byte) round);
        OutputStream out = channel.output();
        out.write(block);
        out.flush();
        byte[] back = new byte[block.length];
        channel.setReadTimeout(Duration.ofSeconds(30));
        new DataInputStream(channel.input()).readFully(back);
        assertArrayEquals(block, back, "round " + round + " came back intact over the same channel");
    }

    private static Thread echoBack(PeerConnection connection) {
        Thread t = new Thread(() -> {
            try (InputStream in = connection.input(); OutputStream out = connection.output()) {
                byte[] buffer = new byte[8192];
                for (int n; (n = in.read(buffer)) > 0;) {
                    out.write(buffer, 0, n);
                    out.flush();
                }
            } catch (Exception e) {
                // the channel ended
            }
        }, "carol-echo");
        t.setDaemon(true);
        t.start();
        return t;
    }

    private static boolean sees(GcsClient app, UserId user) {
        try {
            return !app.availableDevices(user).get(10, TimeUnit.SECONDS).isEmpty();
        } catch (Exception e) {
            return false;
        }
    }

    /** Waits until the node has dropped Alice {@code times} times telling her that it stopped verifying her scheme. */
    private static void awaitDropped(DaemonProcess daemon, int times) throws InterruptedException {
        awaitTrue(() -> daemon.process().log().lines()
                .filter(l -> l.contains("lost node") && l.contains("stopped verifying scheme bns")).count() >= times,
                daemon.process().name() + " dropped " + times + " times, and told why");
    }

    private static void awaitLog(DaemonProcess daemon, String text, int times) throws InterruptedException {
        awaitTrue(() -> count(daemon.process().log(), text) >= times,
                daemon.process().name() + " logged '" + text + "' " + times + " times");
    }

    private static int count(String log, String text) {
        int n = 0;
        for (int i = log.indexOf(text); i >= 0; i = log.indexOf(text, i + 1)) {
            n++;
        }
        return n;
    }

    private static void awaitTrue(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out: " + what);
            }
            Thread.sleep(200);
        }
    }
}
