package org.gcs.itests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.gcs.api.AppId;
import org.gcs.api.AuthenticationException;
import org.gcs.api.DeviceId;
import org.gcs.api.DeviceOfflineException;
import org.gcs.api.UnknownUserException;
import org.gcs.api.UserId;
import org.gcs.api.transport.ChannelType;
import org.gcs.api.transport.PathKind;
import org.gcs.client.ClientOptions;
import org.gcs.client.GcsClient;
import org.gcs.client.IncomingDecision;
import org.gcs.client.Listener;
import org.gcs.client.PeerConnection;
import org.gcs.client.Status;
import org.gcs.launcher.DaemonProcess;
import org.gcs.launcher.LocalCluster;
import org.gcs.launcher.NodeProcess;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * GCS end to end with every role a separate process on loopback: a central node, Alice on her laptop, Bob on his
 * phone and his tablet (one user, two devices), and Carol, whom Bob has not befriended. The test plays the
 * applications through the client library.
 */
@Timeout(120)
class EndToEndIT {
    private static final int TEN_MB = 10 * 1024 * 1024;
    private static final AppId FILES = AppId.of("files");

    private static LocalCluster cluster;
    private static NodeProcess node;
    private static DaemonProcess alice;
    private static DaemonProcess bobPhone;
    private static DaemonProcess bobTablet;
    private static DaemonProcess carol;
    private static UserId bob;

    @BeforeAll
    static void startCluster() throws Exception {
        Path work = Path.of(System.getProperty("gcs.work.dir", "target/e2e")).resolve("EndToEndIT");
        LocalCluster.deleteTree(work);
        cluster = new LocalCluster(work, RoleBundles.assemblyDir().resolve("target"), null);
        node = cluster.startCentral();
        alice = cluster.startDaemon("alice", "laptop", node, "upload");
        bobPhone = cluster.startDaemon("bob-phone", "phone", node, "upload");
        bobTablet = cluster.startDaemon("bob-tablet", "tablet", node, "upload", bobPhone);
        carol = cluster.startDaemon("carol", "desktop", node, "upload");
        bob = UserId.parse(bobPhone.userId());
        assertEquals(bobPhone.userId(), bobTablet.userId(), "one user on two devices");

        alice.writeFriends(Map.of(bob.toString(), "Bob"));
        carol.writeFriends(Map.of(bob.toString(), "Bob"));
        bobPhone.writeFriends(Map.of(alice.userId(), "Alice"));
        bobTablet.writeFriends(Map.of(alice.userId(), "Alice"));
        for (DaemonProcess d : List.of(alice, bobPhone, bobTablet, carol)) {
            awaitLoggedInWithFriends(d);
        }
        awaitNodeFiltersCarol();
    }

    @AfterAll
    static void stopCluster() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void aliceDiscoversBothOfBobsDevices() throws Exception {
        try (GcsClient app = GcsClient.local(alice.stateDir())) {
            List<DeviceId> devices = app.availableDevices(bob).get(10, TimeUnit.SECONDS);
            assertEquals(List.of(DeviceId.of("phone"), DeviceId.of("tablet")), devices.stream().sorted().toList());
        }
    }

    @Test
    void carolWhoIsNoFriendOfBobCannotSeeHisDevices() throws Exception {
        try (GcsClient app = GcsClient.local(carol.stateDir())) {
            // told what she would be told if Bob were offline: a stranger learns nothing of him
            assertFailsWith(UnknownUserException.class, app.availableDevices(bob));
        }
    }

    @Test
    void tenMegabytesGoPeerToPeerAndNotThroughTheNode() throws Exception {
        byte[] payload = new byte[TEN_MB];
        new Random(42).nextBytes(payload);
        try (GcsClient bobApp = GcsClient.local(bobPhone.stateDir());
             Listener listener = bobApp.listen(FILES, request -> IncomingDecision.accept());
             GcsClient aliceApp = GcsClient.local(alice.stateDir())) {
            Properties before = node.stats();
            PeerConnection out = aliceApp.open(bob, DeviceId.of("phone"), FILES).get(60, TimeUnit.SECONDS);
            PeerConnection in = listener.accept(Duration.ofSeconds(30));
            assertTrue(in != null, "Bob's app got the pipe");
            assertEquals(UserId.parse(alice.userId()), in.remoteUser(), "the callee sees the authenticated caller");
            assertEquals(PathKind.HOST, out.path());

            Transfers.sendAndCheck(out, in, payload);

            Thread.sleep(1500); // the node rewrites its counters once per second
            Properties after = node.stats();
            long nodeBytes = delta(before, after, "tls.bytes.in") + delta(before, after, "tls.bytes.out")
                    + delta(before, after, "stun.bytes.in") + delta(before, after, "stun.bytes.out");
            assertTrue(nodeBytes < 64 * 1024, "node carried " + nodeBytes + " bytes for a " + TEN_MB + " byte transfer");
            assertTrue(delta(before, after, "stun.bytes.in") > 0,
                    "both daemons asked the node's STUN responder for their server-reflexive address");
        }
    }

    @Test
    void streamChannelCarriesDatagramsBetweenTheApps() throws Exception {
        AppId media = AppId.of("media");
        try (GcsClient bobApp = GcsClient.local(bobTablet.stateDir());
             Listener listener = bobApp.listen(media, request -> IncomingDecision.accept());
             GcsClient aliceApp = GcsClient.local(alice.stateDir())) {
            PeerConnection out = aliceApp.open(bob, DeviceId.of("tablet"), media, media, ChannelType.STREAM)
                    .get(60, TimeUnit.SECONDS);
            PeerConnection in = listener.accept(Duration.ofSeconds(30));
            assertEquals(ChannelType.STREAM, in.type());
            in.setReadTimeout(Duration.ofSeconds(10));
            int sent = 200;
            CompletableFuture<List<Integer>> received = CompletableFuture.supplyAsync(() -> {
                List<Integer> seen = new java.util.ArrayList<>();
                try {
                    while (seen.size() < sent) {
                        byte[] d = in.receiveDatagram();
                        if (d == null) {
                            break;
                        }
                        assertEquals(1000, d.length);
                        int seq = java.nio.ByteBuffer.wrap(d).getInt();
                        assertTrue(d[999] == (byte) seq, "datagram " + seq + " arrived intact");
                        seen.add(seq);
                    }
                } catch (java.net.SocketTimeoutException quiet) {
                    // the rest was lost: datagrams are unreliable
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
                return seen;
            });
            for (int i = 0; i < sent; i++) {
                byte[] d = new byte[1000];
                java.nio.ByteBuffer.wrap(d).putInt(i);
                d[999] = (byte) i;
                out.sendDatagram(d);
                if (i % 20 == 19) {
                    Thread.sleep(5); // a media-like pace rather than a burst
                }
            }
            List<Integer> seen = received.get(60, TimeUnit.SECONDS);
            assertTrue(seen.size() >= sent * 9 / 10, "on loopback nearly all datagrams arrive: " + seen.size() + "/" + sent);
            assertTrue(seen.stream().allMatch(n -> n >= 0 && n < sent) && seen.stream().distinct().count() == seen.size(),
                    "only what was sent, each at most once");
            out.close();
            in.close();
        }
    }

    @Test
    void bobsAppRejectsAndAliceIsToldSo() throws Exception {
        AppId chat = AppId.of("chat");
        try (GcsClient bobApp = GcsClient.local(bobTablet.stateDir());
             Listener listener = bobApp.listen(chat, request -> IncomingDecision.reject());
             GcsClient aliceApp = GcsClient.local(alice.stateDir())) {
            ExecutionException e = assertThrows(ExecutionException.class,
                    () -> aliceApp.open(bob, DeviceId.of("tablet"), chat).get(60, TimeUnit.SECONDS));
            assertEquals(Optional.of(Status.REJECTED), Status.of(e));
        }
    }

    @Test
    void nonFriendIsRefusedAtTheNodeAndBobNeverHearsOfIt() throws Exception {
        AtomicInteger asked = new AtomicInteger();
        try (GcsClient bobApp = GcsClient.local(bobPhone.stateDir());
             Listener listener = bobApp.listen(AppId.of("inbox"), request -> {
                 asked.incrementAndGet();
                 return IncomingDecision.accept();
             });
             GcsClient carolApp = GcsClient.local(carol.stateDir())) {
            ExecutionException e = assertThrows(ExecutionException.class,
                    () -> carolApp.open(bob, DeviceId.of("phone"), AppId.of("inbox")).get(60, TimeUnit.SECONDS));
            assertInstanceOf(UnknownUserException.class, e.getCause());
            assertEquals(Optional.of(Status.UNKNOWN_USER), Status.of(e));
            assertEquals(0, asked.get(), "Bob's application was never asked");
            assertTrue(bobPhone.process().log().lines().noneMatch(l -> l.contains("incoming") && l.contains(carol.userId())),
                    "Bob's daemon never heard of Carol's request");
        }
    }

    @Test
    void unknownUserOfflineDeviceAndUnknownAppAreDistinctResults() throws Exception {
        try (GcsClient aliceApp = GcsClient.local(alice.stateDir())) {
            UserId nobody = UserId.parse("pk:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa");
            assertFailsWith(UnknownUserException.class, aliceApp.open(nobody, DeviceId.of("phone"), FILES));
            assertFailsWith(UnknownUserException.class, aliceApp.availableDevices(nobody));
            assertFailsWith(DeviceOfflineException.class, aliceApp.open(bob, DeviceId.of("watch"), FILES));
            ExecutionException e = assertThrows(ExecutionException.class,
                    () -> aliceApp.open(bob, DeviceId.of("phone"), AppId.of("camera")).get(60, TimeUnit.SECONDS));
            assertEquals(Optional.of(Status.UNKNOWN_APP), Status.of(e));
        }
    }

    @Test
    void garbageOnTheNodeAndTheDaemonApiClosesOnlyThatConnection() throws Exception {
        for (int port : new int[] {node.tlsPort(), alice.apiPort()}) {
            try (Socket s = new Socket("127.0.0.1", port)) {
                s.setSoTimeout(10_000);
                s.getOutputStream().write(new byte[] {0x7f, (byte) 0xff, (byte) 0xff, (byte) 0xff, 1, 2, 3});
                s.getOutputStream().flush();
                InputStream in = s.getInputStream();
                byte[] buffer = new byte[4096];
                int total = 0;
                int n;
                while ((n = in.read(buffer)) >= 0 && total < 1 << 20) {
                    total += n; // an error frame or TLS alert, then the close
                }
                assertEquals(-1, n, "connection closed by the service");
            } catch (java.net.SocketException reset) {
                // a reset is a close too
            }
        }
        // an application that does not know the cookie is refused on TCP; one that reads it from the state dir is not
        InetSocketAddress tcp = new InetSocketAddress("127.0.0.1", alice.apiPort());
        Path noCookie = alice.stateDir().resolve("not-the-state-dir");
        assertThrows(AuthenticationException.class,
                () -> GcsClient.connect(tcp, ClientOptions.defaults().withStateDir(noCookie)).close());
        try (GcsClient withCookie = GcsClient.connect(tcp, ClientOptions.defaults().withStateDir(alice.stateDir()))) {
            assertEquals(UserId.parse(alice.userId()), withCookie.user());
        }
        try (GcsClient aliceApp = GcsClient.local(alice.stateDir())) {
            assertEquals(2, aliceApp.availableDevices(bob).get(10, TimeUnit.SECONDS).size(), "both still serve");
        }
        assertTrue(node.process().isAlive() && alice.process().isAlive());
    }

    private static void awaitLoggedInWithFriends(DaemonProcess daemon) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline) {
            try (GcsClient app = GcsClient.local(daemon.stateDir())) {
                if (app.nodeConnected() && !app.friends().get(10, TimeUnit.SECONDS).isEmpty()) {
                    return;
                }
            }
            Thread.sleep(100);
        }
        throw new AssertionError(daemon.process().name() + " not ready:\n" + daemon.process().log());
    }

    /** Bob's uploaded list has reached the node once it refuses Carol a look at his devices. */
    private static void awaitNodeFiltersCarol() throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        try (GcsClient app = GcsClient.local(carol.stateDir())) {
            while (System.nanoTime() < deadline) {
                try {
                    app.availableDevices(bob).get(10, TimeUnit.SECONDS);
                } catch (ExecutionException e) {
                    if (e.getCause() instanceof UnknownUserException) {
                        return; // Bob is online: only his uploaded list hides him from Carol
                    }
                }
                Thread.sleep(100);
            }
        }
        throw new AssertionError("the node never received Bob's friends list");
    }

    private static void assertFailsWith(Class<? extends Throwable> type, CompletableFuture<?> future) {
        ExecutionException e = assertThrows(ExecutionException.class, () -> future.get(60, TimeUnit.SECONDS));
        assertInstanceOf(type, e.getCause(), () -> "cause: " + e.getCause());
    }

    private static long delta(Properties before, Properties after, String key) {
        return Long.parseLong(after.getProperty(key, "0")) - Long.parseLong(before.getProperty(key, "0"));
    }
}
