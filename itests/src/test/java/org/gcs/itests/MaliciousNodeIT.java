package org.gcs.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;
import static org.ops4j.pax.exam.CoreOptions.bundle;
import static org.ops4j.pax.exam.CoreOptions.composite;
import static org.ops4j.pax.exam.CoreOptions.junitBundles;
import static org.ops4j.pax.exam.CoreOptions.options;
import static org.ops4j.pax.exam.CoreOptions.systemProperty;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import javax.inject.Inject;
import org.gcs.api.auth.CredentialStore;
import org.gcs.api.wire.AppWire;
import org.gcs.api.wire.AppWire.AppFrame;
import org.gcs.api.wire.Frames;
import org.gcs.api.wire.NodeWire;
import org.gcs.api.wire.NodeWire.Status;
import org.gcs.api.wire.WireVersions;
import org.junit.AfterClass;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.service.cm.ConfigurationAdmin;

/**
 * A malicious node: the central role inside Felix with the test-only {@code org.gcs.testing.malicious.router} bound as
 * its router ({@code Router.target=(gcs.routing=malicious)}; the node core is unchanged), and two real daemons
 * ({@code daemon.jar} processes, privacy mode {@code local-authenticated}) logged in to it. The router rewrites the
 * caller's identity to one of Bob's friends, swaps the QUIC certificate fingerprint in the offer or the answer, and
 * replays an old request: Alice's application gets {@code UNAUTHENTICATED} for a tampered answer and Bob's daemon's
 * plain refusal for a tampered request, and Bob's application never hears of the request.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class MaliciousNodeIT {
    private static final List<Process> PROCESSES = new ArrayList<>();

    @Inject
    ConfigurationAdmin configAdmin;

    @Inject
    CredentialStore credentials;

    @Configuration
    public Option[] config() {
        Path router = Path.of(System.getProperty("gcs.malicious.router.jar", "../testing/malicious-router/target/"
                + "gcs-malicious-router-0.1.0-SNAPSHOT.jar")).toAbsolutePath().normalize();
        return options(junitBundles(), systemProperty("ice4j.harvest.mapping.aws.enabled").value("false"),
                composite(RoleBundles.options("central")), bundle(router.toUri().toString()));
    }

    @AfterClass
    public static void stopDaemons() {
        synchronized (PROCESSES) {
            for (Process p : PROCESSES) {
                p.destroy();
            }
            for (Process p : PROCESSES) {
                try {
                    if (!p.waitFor(5, TimeUnit.SECONDS)) {
                        p.destroyForcibly();
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            PROCESSES.clear();
        }
    }

    @Test
    public void tamperingNodeIsCaughtAndTheCalleeApplicationNeverHears() throws Exception {
        Path work = Files.createTempDirectory("gcs-malicious-it");
        String carol = credentials.loadOrCreate(work.resolve("carol.key"), null).user().toString();
        router("none", "");
        Properties node = startNode(work.resolve("node"));

        Path aliceDir = work.resolve("alice");
        Path bobDir = work.resolve("bob");
        Api alice = startDaemon(aliceDir, "laptop", node);
        Api bob = startDaemon(bobDir, "phone", node);
        String aliceId = Files.readString(aliceDir.resolve("state/user-id")).trim();
        String bobId = Files.readString(bobDir.resolve("state/user-id")).trim();
        writeFriends(aliceDir, bobId + " Bob\n");
        writeFriends(bobDir, aliceId + " Alice\n" + carol + " Carol\n");
        awaitLoggedIn(alice);
        awaitLoggedIn(bob);
        Thread.sleep(1500); // the friends watchers poll every second

        try (ServerSocket bobChat = new ServerSocket(0, 10, java.net.InetAddress.getLoopbackAddress());
                App control = new App(bob)) {
            control.listen("chat", bobChat.getLocalPort());

            // an honest node first: the set-up works
            connectAndAccept(alice, bobId, control, bobChat, "honest node");

            router("rewrite-caller", carol);
            assertAttackRefused(alice, bobId, control, "caller rewritten to Carol", false);

            router("swap-offer-fingerprint", "");
            assertAttackRefused(alice, bobId, control, "offer fingerprint swapped", false);

            router("swap-answer-fingerprint", "");
            assertAttackRefused(alice, bobId, control, "answer fingerprint swapped", true);

            router("replay", "");
            connectAndAccept(alice, bobId, control, bobChat, "the request the node records");
            assertAttackRefused(alice, bobId, control, "old request replayed", false);

            // altered trickled candidates are dropped; on loopback the candidates in the signed descriptions suffice
            router("alter-signals", "");
            connectAndAccept(alice, bobId, control, bobChat, "trickled signals altered");
            long until = System.currentTimeMillis() + 10_000; // end-of-candidates may follow the channel
            while (!logged(aliceDir, " dropped: the signal ") && !logged(bobDir, " dropped: the signal ")
                    && System.currentTimeMillis() < until) {
                Thread.sleep(100);
            }
            assertTrue("a daemon logged the dropped signals",
                    logged(aliceDir, " dropped: the signal ") || logged(bobDir, " dropped: the signal "));

            router("none", "");
            connectAndAccept(alice, bobId, control, bobChat, "honest again");
        }
    }

    private void connectAndAccept(Api alice, String bobId, App control, ServerSocket bobChat, String what) throws Exception {
        try (App caller = new App(alice)) {
            caller.connect(bobId, "phone", "chat", 1);
            AppFrame asked = control.read(30_000);
            assertTrue(what + ": bob's app is asked, got " + asked, asked != null && asked.hasIncomingRequest());
            control.send(AppFrame.newBuilder().setIncomingDecision(AppWire.IncomingConnectionDecision.newBuilder()
                    .setConnectionId(asked.getIncomingRequest().getConnectionId()).setAccept(true)).build());
            AppWire.OutgoingConnectionRequestResult r = caller.read(30_000).getOutgoingResult();
            assertEquals(what + ": " + r.getMessage(), Status.ACCEPTED, r.getStatus());
            try (Socket piped = bobChat.accept()) {
                caller.socket.getOutputStream().write("ping".getBytes(StandardCharsets.UTF_8));
                piped.setSoTimeout(10_000);
                assertEquals(what, "ping", new String(piped.getInputStream().readNBytes(4), StandardCharsets.UTF_8));
            }
            AppFrame opened = control.read(10_000);
            assertTrue(what + ": " + opened, opened != null && opened.hasConnectionOpened());
        }
    }

    /**
     * @param callerChecks whether the tampered part is Bob's answer, which Alice's daemon checks and names; a tampered
     *     request is refused by Bob's daemon with the one refusal of its privacy mode, so the node learns nothing
     */
    private void assertAttackRefused(Api alice, String bobId, App control, String attack, boolean callerChecks)
            throws Exception {
        try (App caller = new App(alice)) {
            caller.connect(bobId, "phone", "chat", 1);
            AppWire.OutgoingConnectionRequestResult r = caller.read(45_000).getOutgoingResult();
            if (callerChecks) {
                assertEquals(attack + ": " + r.getMessage(), Status.UNAUTHENTICATED, r.getStatus());
                assertTrue(attack + ": " + r.getMessage(), r.getMessage().contains("authentication"));
            } else {
                assertEquals(attack + ": " + r.getMessage(), Status.REFUSED, r.getStatus());
                assertEquals(attack, "the callee declined", r.getMessage());
            }
        }
        assertNull(attack + ": bob's application must never hear of it", control.read(1_000));
    }

    private void router(String mode, String impersonate) throws Exception {
        Dictionary<String, Object> props = new Hashtable<>();
        props.put("mode", mode);
        props.put("impersonate", impersonate);
        configAdmin.getConfiguration("org.gcs.testing.malicious.router", "?").update(props);
        Thread.sleep(500); // ConfigAdmin delivers asynchronously
    }

    private Properties startNode(Path state) throws Exception {
        Dictionary<String, Object> props = new Hashtable<>();
        props.put("host", "127.0.0.1");
        props.put("port", 0);
        props.put("stun.port", 0);
        props.put("state.dir", state.toString());
        props.put("Router.target", "(gcs.routing=malicious)");
        configAdmin.getConfiguration("org.gcs.node", "?").update(props);
        return StateFiles.awaitProperties(state.resolve("node.properties"));
    }

    /** A daemon's TCP application endpoint and the cookie applications present there. */
    private record Api(int port, String cookie) {
    }

    private static Api startDaemon(Path dir, String device, Properties node) throws Exception {
        Files.createDirectories(dir.resolve("etc"));
        Files.writeString(dir.resolve("etc/org.gcs.daemon.cfg"), "node.host=127.0.0.1\nnode.port=" + node.getProperty("tls.port")
                + "\nnode.id=" + node.getProperty("node.id") + "\ndevice=" + device + "\nkey.file=state/user.key\n"
                + "friends.file=friends.txt\nprivacy.mode=local-authenticated\napi.host=127.0.0.1\napi.port=0\n"
                + "state.dir=state\nconnect.timeout.seconds=15\n", StandardCharsets.UTF_8);
        Files.writeString(dir.resolve("etc/org.gcs.transport.ice.cfg"), "host.addresses=127.0.0.1\n", StandardCharsets.UTF_8);
        Path jar = RoleBundles.assemblyDir().resolve("target/daemon.jar");
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m",
                "-Dice4j.harvest.mapping.aws.enabled=false", "-jar", jar.toString())
                .directory(dir.toFile()).redirectErrorStream(true).redirectOutput(dir.resolve("daemon.log").toFile()).start();
        synchronized (PROCESSES) {
            PROCESSES.add(p);
        }
        Path port = dir.resolve("state/api.port");
        long deadline = System.currentTimeMillis() + 60_000;
        while (System.currentTimeMillis() < deadline && p.isAlive()) {
            if (Files.isRegularFile(port) && Files.isRegularFile(dir.resolve("state/user-id"))) {
                String text = Files.readString(port).trim();
                if (!text.isEmpty()) {
                    // the daemon writes api.cookie before api.port
                    return new Api(Integer.parseInt(text), Files.readString(dir.resolve("state/api.cookie")).strip());
                }
            }
            Thread.sleep(50);
        }
        throw new AssertionError("daemon in " + dir + " did not start: "
                + (Files.exists(dir.resolve("daemon.log")) ? Files.readString(dir.resolve("daemon.log")) : ""));
    }

    private static boolean logged(Path daemonDir, String text) throws IOException {
        return Files.readString(daemonDir.resolve("daemon.log")).contains(text);
    }

    private static void writeFriends(Path dir, String text) throws IOException {
        Path tmp = dir.resolve("friends.txt.tmp");
        Files.writeString(tmp, text, StandardCharsets.UTF_8);
        Files.move(tmp, dir.resolve("friends.txt"), java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }

    private static void awaitLoggedIn(Api api) throws Exception {
        long deadline = System.currentTimeMillis() + 30_000;
        while (System.currentTimeMillis() < deadline) {
            try (App a = new App(api)) {
                if (a.welcome.getNodeConnected()) {
                    return;
                }
            }
            Thread.sleep(200);
        }
        throw new AssertionError("daemon on port " + api.port() + " did not log in");
    }

    /** A raw application connection to a daemon. */
    private static final class App implements AutoCloseable {
        final Socket socket;
        final AppWire.AppWelcome welcome;

        App(Api api) throws IOException {
            socket = new Socket("127.0.0.1", api.port());
            send(AppFrame.newBuilder().setHello(AppWire.AppHello.newBuilder()
                    .setProtocolVersion(WireVersions.APP_PROTOCOL).setCookie(api.cookie())).build());
            AppFrame w = read(10_000);
            assertNotNull("welcome", w);
            welcome = w.getWelcome();
        }

        void send(AppFrame frame) throws IOException {
            Frames.write(socket.getOutputStream(), frame.toByteArray());
        }

        /** The next frame within {@code millis}, or null. */
        AppFrame read(int millis) throws IOException {
            socket.setSoTimeout(millis);
            try {
                byte[] b = Frames.read(socket.getInputStream(), WireVersions.MAX_FRAME_BYTES);
                return b == null ? null : AppFrame.parseFrom(b);
            } catch (SocketTimeoutException e) {
                return null;
            }
        }

        void listen(String app, int port) throws IOException {
            send(AppFrame.newBuilder().setListenIntent(AppWire.ListenIntent.newBuilder()
                    .setRequestId(1).setApp(app).setPort(port)).build());
            assertEquals(Status.OK, read(10_000).getListenResult().getStatus());
        }

        void connect(String user, String device, String app, long requestId) throws IOException {
            send(AppFrame.newBuilder().setConnect(AppWire.ConnectApp.newBuilder().setRequestId(requestId)
                    .setUserId(user).setDeviceId(device).setApp(app).setFromApp("chat")
                    .setType(NodeWire.ChannelType.DATA)).build());
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }
}
