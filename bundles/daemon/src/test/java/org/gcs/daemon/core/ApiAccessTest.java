package org.gcs.daemon.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.gcs.api.AppId;
import org.gcs.api.AuthenticationException;
import org.gcs.api.DeviceId;
import org.gcs.api.wire.AppWire;
import org.gcs.api.wire.AppWire.AppErrorCode;
import org.gcs.api.wire.AppWire.AppFrame;
import org.gcs.api.wire.Frames;
import org.gcs.api.wire.WireVersions;
import org.gcs.client.ClientOptions;
import org.gcs.client.GcsClient;
import org.gcs.client.IncomingHandler;
import org.gcs.client.Listener;
import org.gcs.client.PeerConnection;
import org.gcs.daemon.app.ApiSettings;
import org.gcs.daemon.testing.TestApp;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Who may use the daemon (issue 11): the Unix socket in a private directory admits the user without a cookie, TCP
 * only with the cookie; nothing before AppHello is held for long or in unbounded number; a refused connection never
 * stops the daemon from serving the next one. Real daemons, real sockets, the real Java client.
 */
@Timeout(90)
class ApiAccessTest extends DaemonFlowFixture {
    private Daemon start(String name, String device, java.util.function.UnaryOperator<ApiSettings> api) throws Exception {
        Files.createDirectories(dir.resolve(name));
        DaemonSettings s = settings(name, device, DaemonSettings.Privacy.UPLOAD, false, Duration.ofSeconds(10),
                Duration.ofSeconds(10));
        Daemon d = new Daemon(withApi(s, api.apply(s.api())), store, transport);
        d.start();
        closeLater.add(d);
        return d;
    }

    private Daemon start(String name, String device) throws Exception {
        return start(name, device, a -> a);
    }

    private static DaemonSettings withApi(DaemonSettings s, ApiSettings api) {
        return new DaemonSettings(s.bootstrap(), s.device(), s.scheme(), s.name(), s.keyFile(), s.friendsFile(),
                s.privacy(), s.mutualAuth(), api, s.stateDir(), s.connectTimeout(), s.decisionTimeout());
    }

    private static AppFrame hello(String cookie) {
        return AppFrame.newBuilder().setHello(AppWire.AppHello.newBuilder().setProtocolVersion(WireVersions.APP_PROTOCOL)
                .setCookie(cookie)).build();
    }

    /** Sends {@code hello}; expects AppError{code} and then the end of the connection. */
    private static void refused(TestApp app, AppFrame hello, AppErrorCode code) throws IOException {
        app.send(hello);
        AppFrame answer = app.read();
        assertEquals(code, answer.getError().getCode(), answer.toString());
        assertEquals(-1, app.socket.getInputStream().read(), "the daemon closes a refused connection");
    }

    @Test
    void tcpWithoutTheCookieIsRefusedAndTheDaemonKeepsServing() throws Exception {
        Daemon d = start("alice", "laptop");
        String cookie = TestApp.cookie(d);
        assertTrue(cookie.matches("[0-9a-f]{64}"), cookie);
        try (TestApp none = new TestApp(d.apiPort())) {
            refused(none, hello(""), AppErrorCode.APP_UNAUTHORIZED);
        }
        String wrong = (cookie.charAt(0) == '0' ? "1" : "0") + cookie.substring(1);
        try (TestApp guesser = new TestApp(d.apiPort())) {
            refused(guesser, hello(wrong), AppErrorCode.APP_UNAUTHORIZED);
        }
        try (TestApp asksFirst = new TestApp(d.apiPort())) {
            asksFirst.send(AppFrame.newBuilder().setGetFriends(AppWire.GetFriends.newBuilder().setRequestId(1)).build());
            assertEquals(AppErrorCode.APP_MALFORMED, asksFirst.read().getError().getCode(), "no request before AppHello");
        }
        try (TestApp good = TestApp.of(d)) {
            assertEquals(d.user().toString(), good.hello().getUserId());
            good.send(AppFrame.newBuilder().setGetFriends(AppWire.GetFriends.newBuilder().setRequestId(2)).build());
            assertEquals(2, good.read().getFriends().getRequestId());
        }
    }

    @Test
    void theRealClientFindsTheCookieOrSaysWhyNot() throws Exception {
        Daemon d = start("alice", "laptop");
        InetSocketAddress tcp = new InetSocketAddress("127.0.0.1", d.apiPort());
        try (GcsClient app = GcsClient.connect(tcp, ClientOptions.defaults().withStateDir(d.settings().stateDir()))) {
            assertEquals(d.user(), app.user());
        }
        Path elsewhere = Files.createDirectories(dir.resolve("not-the-state-dir"));
        AuthenticationException e = assertThrows(AuthenticationException.class,
                () -> GcsClient.connect(tcp, ClientOptions.defaults().withStateDir(elsewhere)));
        assertTrue(e.getMessage().contains("APP_UNAUTHORIZED") || e.getMessage().contains("no cookie"), e.getMessage());
        assertTrue(e.getMessage().contains(elsewhere.resolve("api.cookie").toString()), e.getMessage());
    }

    @Test
    void theUnixSocketAdmitsTheUserWithoutACookieAndIsHersAlone() throws Exception {
        Daemon d = start("alice", "laptop");
        Path state = d.settings().stateDir();
        Path socket = state.resolve("api/daemon.sock").toAbsolutePath();
        assertEquals(socket, d.apiSocket());
        assertEquals(socket + "\n", Files.readString(state.resolve("api.socket")));
        assertEquals("rwx------", mode(state.resolve("api")));
        assertEquals("rw-------", mode(socket));
        assertEquals("rw-------", mode(state.resolve("api.cookie")));
        try (GcsClient app = GcsClient.local(state)) {
            assertEquals(d.user(), app.user());
            assertEquals(List.of(), app.friends().get(10, TimeUnit.SECONDS));
            assertNull(app.daemonAddress());
        }

        String firstCookie = TestApp.cookie(d);
        d.close();
        assertFalse(Files.exists(socket), "a stopped daemon removes its socket");
        Daemon again = start("alice", "laptop");
        assertNotEquals(firstCookie, TestApp.cookie(again), "a new cookie at every start");
        assertEquals("rw-------", mode(state.resolve("api.cookie")));
    }

    @Test
    void aFriendsListOfManyFramesReachesTheApplicationWhole() throws Exception {
        StringBuilder file = new StringBuilder();
        List<String> ids = new java.util.ArrayList<>();
        for (int i = 0; i < 5_000; i++) { // about 400 KB: seven frames' worth
            ids.add("pk:friend" + i);
            file.append("pk:friend").append(i).append(" Friend number ").append(i).append(" of a long list\n");
        }
        Files.createDirectories(dir.resolve("alice"));
        Files.writeString(dir.resolve("alice/friends.txt"), file);
        Daemon d = start("alice", "laptop");
        try (GcsClient app = GcsClient.local(d.settings().stateDir())) {
            List<org.gcs.client.Friend> friends = app.friends().get(20, TimeUnit.SECONDS);
            assertEquals(ids, friends.stream().map(f -> f.user().toString()).toList());
            assertEquals("Friend number 4999 of a long list", friends.get(4999).petname());
        }
    }

    @Test
    void aPipeOverTheUnixSocketsOfBothDaemons() throws Exception {
        Daemon alice = start("alice", "laptop");
        Daemon bob = start("bob", "phone");
        Files.writeString(dir.resolve("alice/friends.txt"), bob.user() + " Bob\n");
        Files.writeString(dir.resolve("bob/friends.txt"), alice.user() + " Alice\n");
        alice.checkFriends();
        bob.checkFriends();
        await(() -> alice.nodeConnected() && bob.nodeConnected() && node.uploadedFriends(bob.user(), "phone") != null
                && node.uploadedFriends(bob.user(), "phone").contains(alice.user().toString()), "logins and friends");
        byte[] file = new byte[300_000];
        new Random(3).nextBytes(file);
        try (GcsClient bobApp = GcsClient.local(bob.settings().stateDir());
             Listener listener = bobApp.listen(AppId.of("chat"), IncomingHandler.acceptAll());
             GcsClient aliceApp = GcsClient.local(alice.settings().stateDir());
             PeerConnection up = aliceApp.open(bob.user(), DeviceId.of("phone"), AppId.of("chat")).get(20, TimeUnit.SECONDS)) {
            PeerConnection down = listener.accept(Duration.ofSeconds(10));
            closeLater.add(down);
            up.output().write(file);
            up.shutdownOutput();
            down.setReadTimeout(Duration.ofSeconds(10));
            assertArrayEquals(file, down.input().readAllBytes());
            down.output().write("got it".getBytes(StandardCharsets.UTF_8));
            down.close();
            up.setReadTimeout(Duration.ofSeconds(10));
            assertEquals("got it", new String(up.input().readAllBytes(), StandardCharsets.UTF_8));
        }
    }

    @Test
    void aSocketDirectoryOthersCanEnterStopsTheDaemon() throws Exception {
        Path api = Files.createDirectories(dir.resolve("alice/state/api"));
        Files.setPosixFilePermissions(api, PosixFilePermissions.fromString("rwxr-x---"));
        IOException e = assertThrows(IOException.class, () -> start("alice", "laptop"));
        assertTrue(e.getMessage().contains(api.toAbsolutePath().toString()) && e.getMessage().contains("rwxr-x---")
                && e.getMessage().contains("group"), e.getMessage());

        Files.setPosixFilePermissions(api, PosixFilePermissions.fromString("rwx-----x"));
        e = assertThrows(IOException.class, () -> start("alice", "laptop"));
        assertTrue(e.getMessage().contains("rwx-----x") && e.getMessage().contains("every user"), e.getMessage());

        Files.setPosixFilePermissions(api, PosixFilePermissions.fromString("rwx------"));
        start("alice", "laptop");
    }

    @Test
    void aStaleSocketIsReplacedALiveOneIsNot() throws Exception {
        Path api = Files.createDirectories(dir.resolve("alice/state/api"));
        Files.setPosixFilePermissions(api, PosixFilePermissions.fromString("rwx------"));
        Path socket = api.resolve("daemon.sock");
        try (ServerSocketChannel other = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            other.bind(UnixDomainSocketAddress.of(socket));
            IOException e = assertThrows(IOException.class, () -> start("alice", "laptop"));
            assertTrue(e.getMessage().contains("already serves"), e.getMessage());
        }
        assertTrue(Files.exists(socket), "closing a Java server channel leaves its file: a stale socket");
        Daemon d = start("alice", "laptop");
        try (GcsClient app = GcsClient.local(d.settings().stateDir())) {
            assertEquals(d.user(), app.user());
        }
    }

    @Test
    void tcpCanBeTurnedOff() throws Exception {
        Files.createDirectories(dir.resolve("alice/state"));
        Files.writeString(dir.resolve("alice/state/api.port"), "7010\n");
        Daemon d = start("alice", "laptop", a -> new ApiSettings(a.socket(), a.host(), ApiSettings.TCP_OFF, false,
                a.helloTimeout(), a.maxPendingHellos()));
        assertEquals(ApiSettings.TCP_OFF, d.apiPort());
        assertFalse(Files.exists(dir.resolve("alice/state/api.port")), "no stale port for clients to try");
        try (GcsClient app = GcsClient.local(d.settings().stateDir())) {
            assertEquals(d.user(), app.user());
        }
    }

    /**
     * 200 connections that never complete AppHello (half say nothing, half send a frame's first bytes and stall): those
     * beyond the bound are refused at once, the rest closed after the hello timeout; meanwhile the Unix socket, which has
     * its own bound, serves the user; afterwards TCP serves a good client again.
     */
    @Test
    void silentConnectionsAreClosedWithinTheHelloTimeout() throws Exception {
        Daemon d = start("alice", "laptop", a -> a.withHelloLimits(Duration.ofSeconds(1), 64));
        List<Socket> silent = new ArrayList<>();
        try {
            for (int i = 0; i < 200; i++) {
                Socket s = new Socket("127.0.0.1", d.apiPort());
                closeLater.add(s);
                silent.add(s);
                if (i % 2 == 1) {
                    s.getOutputStream().write(new byte[] {0, 0, 0}); // a length prefix that never completes
                    s.getOutputStream().flush();
                }
            }
            try (GcsClient app = GcsClient.local(d.settings().stateDir())) {
                assertEquals(d.user(), app.user(), "the Unix socket serves while TCP is flooded");
            }
            int busy = 0;
            int timedOut = 0;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            for (Socket s : silent) {
                AppErrorCode code = closedWith(s, deadline);
                if (code == AppErrorCode.APP_BUSY) {
                    busy++;
                } else if (code == AppErrorCode.APP_HELLO_TIMEOUT) {
                    timedOut++;
                }
            }
            assertTrue(busy > 0 && timedOut > 0 && timedOut <= 64, "busy " + busy + ", timed out " + timedOut);
        } finally {
            for (Socket s : silent) {
                s.close();
            }
        }
        try (TestApp good = TestApp.of(d)) {
            assertEquals(d.user().toString(), good.hello().getUserId());
        }
    }

    /** Reads what the daemon sent on {@code s} until it closed it (before {@code deadline}), returns the error code. */
    private static AppErrorCode closedWith(Socket s, long deadline) throws IOException {
        InputStream in = s.getInputStream();
        AppErrorCode code = null;
        while (true) {
            long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
            if (left <= 0) {
                throw new AssertionError("a connection without AppHello is still open after the deadline");
            }
            s.setSoTimeout((int) left);
            try {
                byte[] frame = Frames.read(in, WireVersions.MAX_FRAME_BYTES);
                if (frame == null) {
                    return code;
                }
                code = AppFrame.parseFrom(frame).getError().getCode();
            } catch (SocketTimeoutException e) {
                throw new AssertionError("a connection without AppHello is still open after the deadline");
            } catch (java.net.SocketException e) {
                return code; // reset by the daemon's close: closed too
            }
        }
    }

    private static String mode(Path p) throws IOException {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(p, java.nio.file.LinkOption.NOFOLLOW_LINKS));
    }
}
