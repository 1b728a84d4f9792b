package org.gcs.client;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import java.io.IOException;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.net.UnixDomainSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.gcs.api.AppId;
import org.gcs.api.AuthenticationException;
import org.gcs.api.DeviceId;
import org.gcs.api.UserId;
import org.gcs.api.wire.AppWire;
import org.gcs.api.wire.NodeWire;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * How the client finds its daemon and proves it may use it (app.proto, "Who may connect"): the Unix socket named in
 * the daemon's state directory, without a cookie; TCP with the cookie from that directory or from the options.
 */
@Timeout(30)
class LocalAccessTest {
    private static final String COOKIE = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";

    @TempDir
    Path dir;
    private FakeDaemon daemon;
    private final List<AppWire.AppHello> hellos = new CopyOnWriteArrayList<>();

    @AfterEach
    void stop() throws Exception {
        if (daemon != null) {
            daemon.close();
            assertEquals(List.of(), daemon.failures, "fake daemon script failures");
        }
    }

    /** Welcomes (recording the hello), then answers GetFriends until the client closes. */
    private FakeDaemon.Script friendsServer() {
        return c -> {
            hellos.add(c.welcome());
            serveFriends(c);
        };
    }

    private static void serveFriends(FakeDaemon.Conn c) throws IOException {
        for (int i = 0; i < 100; i++) {
            AppWire.AppFrame f = c.read();
            if (f == null) {
                return;
            }
            c.send(GcsClientTest.devicesAnswer(f));
        }
    }

    private Path stateDir() throws IOException {
        return Files.createDirectories(dir.resolve("state"));
    }

    @Test
    void localUsesTheSocketNamedInTheStateDirWithoutACookie() throws Exception {
        Path state = stateDir();
        Files.writeString(state.resolve("api.cookie"), COOKIE + "\n");
        Path socket = dir.resolve("elsewhere.sock");
        Files.writeString(state.resolve("api.socket"), socket.toAbsolutePath() + "\n");
        daemon = FakeDaemon.unix(socket, friendsServer());
        try (GcsClient client = GcsClient.local(state)) {
            assertEquals(UserId.parse(FakeDaemon.USER), client.user());
            assertEquals(2, client.friends().get(5, TimeUnit.SECONDS).size());
            assertEquals(UnixDomainSocketAddress.of(socket.toAbsolutePath()), client.daemonEndpoint());
            assertNull(client.daemonAddress(), "no TCP address on the Unix socket");
        }
        assertEquals("", hellos.get(0).getCookie(), "the cookie never travels on the Unix socket");
    }

    @Test
    void withoutTheNameFileLocalLooksForApiDaemonSock() throws Exception {
        Path state = stateDir();
        Files.createDirectories(state.resolve("api"));
        daemon = FakeDaemon.unix(state.resolve("api/daemon.sock"), friendsServer());
        try (GcsClient client = GcsClient.local(ClientOptions.defaults().withStateDir(state))) {
            assertEquals(DeviceId.of(FakeDaemon.DEVICE), client.device());
        }
    }

    @Test
    void localWithoutADaemonSaysWhereItLooked() throws Exception {
        Path state = stateDir();
        ConnectException e = assertThrows(ConnectException.class, () -> GcsClient.local(state));
        assertTrue(e.getMessage().contains(state.resolve("api/daemon.sock").toAbsolutePath().toString()), e.getMessage());
    }

    /**
     * ConnectApp over the Unix socket: pipe bytes the daemon sent right behind ACCEPTED are not lost, a read timeout
     * leaves the pipe usable, a megabyte goes up while the daemon reads, half-close reaches the daemon, its answer comes back.
     */
    @Test
    void pipeOverTheUnixSocket() throws Exception {
        Path socket = dir.resolve("d.sock");
        byte[] data = new byte[1 << 20];
        new Random(11).nextBytes(data);
        CompletableFuture<byte[]> arrived = new CompletableFuture<>();
        daemon = FakeDaemon.unix(socket, c -> {
            c.welcome();
            AppWire.AppFrame first = c.read();
            if (first == null) {
                return; // the client's main connection, closed at the end
            }
            AppWire.ConnectApp request = first.getConnect();
            c.send(AppWire.AppFrame.newBuilder().setOutgoingResult(AppWire.OutgoingConnectionRequestResult.newBuilder()
                    .setRequestId(request.getRequestId()).setConnectionId(ByteString.copyFrom(new byte[16]))
                    .setStatus(NodeWire.Status.ACCEPTED).setPath(AppWire.PathKind.HOST)).build());
            c.out.write("early".getBytes(StandardCharsets.US_ASCII));
            c.out.flush();
            byte[] got = c.in.readAllBytes();
            arrived.complete(got);
            c.out.write(("got " + got.length).getBytes(StandardCharsets.US_ASCII));
            c.out.flush();
            c.socket.shutdownOutput();
            c.awaitEof();
        });
        try (GcsClient client = GcsClient.connect(UnixDomainSocketAddress.of(socket), ClientOptions.defaults());
             PeerConnection pipe = client.open(UserId.parse("pk:bob"), DeviceId.of("laptop"), AppId.of("chat"))
                     .get(5, TimeUnit.SECONDS)) {
            pipe.setReadTimeout(Duration.ofMillis(300));
            assertEquals("early", new String(pipe.input().readNBytes(5), StandardCharsets.US_ASCII));
            assertThrows(SocketTimeoutException.class, () -> pipe.input().read(), "the daemon waits for our end of stream");
            assertTrue(pipe.isOpen(), "a read timeout leaves the pipe open");
            pipe.output().write(data);
            pipe.shutdownOutput();
            pipe.setReadTimeout(Duration.ofSeconds(5));
            assertEquals("got " + data.length, new String(pipe.input().readAllBytes(), StandardCharsets.US_ASCII));
            assertArrayEquals(data, arrived.get(5, TimeUnit.SECONDS));
        }
    }

    @Test
    void tcpPresentsTheCookieFromTheStateDir() throws Exception {
        Path state = stateDir();
        Files.writeString(state.resolve("api.cookie"), COOKIE + "\n");
        daemon = new FakeDaemon(c -> {
            if (c.welcomeWithCookie(COOKIE)) {
                serveFriends(c);
            }
        });
        try (GcsClient client = GcsClient.connect(daemon.address(), ClientOptions.defaults().withStateDir(state))) {
            assertEquals(2, client.friends().get(5, TimeUnit.SECONDS).size());
            assertEquals(daemon.address(), client.daemonAddress());
        }
    }

    @Test
    void tcpWithoutACookieIsRefusedAndTheErrorSaysWhereItLooked() throws Exception {
        Path state = stateDir();
        daemon = new FakeDaemon(c -> {
            assertFalse(c.welcomeWithCookie(COOKIE));
            c.awaitEof();
        });
        AuthenticationException e = assertThrows(AuthenticationException.class,
                () -> GcsClient.connect(daemon.address(), ClientOptions.defaults().withStateDir(state)));
        assertTrue(e.getMessage().contains(state.resolve("api.cookie").toAbsolutePath().toString()), e.getMessage());
        assertTrue(e.getMessage().contains("no cookie"), "the daemon's own words: " + e.getMessage());
    }

    @Test
    void anExplicitCookieWinsAndIsNeverPrinted() throws Exception {
        Path state = stateDir();
        Files.writeString(state.resolve("api.cookie"), "ff".repeat(32) + "\n");
        daemon = new FakeDaemon(c -> {
            if (c.welcomeWithCookie(COOKIE)) {
                serveFriends(c);
            }
        });
        ClientOptions options = ClientOptions.defaults().withStateDir(state).withCookie(COOKIE);
        try (GcsClient client = GcsClient.connect(daemon.address(), options)) {
            assertTrue(client.isOpen());
        }
        assertFalse(options.toString().contains(COOKIE), options.toString());
        assertThrows(IllegalArgumentException.class, () -> ClientOptions.defaults().withCookie("not hex"));
        ClientOptions old = new ClientOptions(Duration.ofSeconds(1), Duration.ofSeconds(1), Duration.ofSeconds(1),
                Duration.ofSeconds(1), Duration.ofSeconds(1), 1);
        assertNull(old.stateDir());
        assertNull(old.cookie());
        assertInstanceOf(Path.class, old.resolvedStateDir());
    }
}
