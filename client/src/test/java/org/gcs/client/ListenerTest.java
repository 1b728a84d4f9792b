package org.gcs.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.gcs.api.AppId;
import org.gcs.api.DeviceId;
import org.gcs.api.ProtocolException;
import org.gcs.api.UserId;
import org.gcs.api.transport.ChannelType;
import org.gcs.api.transport.PathKind;
import org.gcs.api.wire.AppWire;
import org.gcs.api.wire.NodeWire;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class ListenerTest {
    private static final AppId FILES = AppId.of("files");

    private FakeDaemon daemon;
    /** Things the daemon's script reports to the test thread. */
    private final BlockingQueue<Object> events = new LinkedBlockingQueue<>();

    @FunctionalInterface
    interface Control {
        void run(FakeDaemon.Conn control, int port) throws Exception;
    }

    @AfterEach
    void stop() throws Exception {
        if (daemon != null) {
            daemon.close();
            assertEquals(List.of(), daemon.failures, "fake daemon script failures");
        }
    }

    private void startDaemon(NodeWire.Status listenStatus, Control control) throws Exception {
        daemon = new FakeDaemon(c -> {
            c.welcome();
            if (c.index == 0) {
                c.awaitEof();
                return;
            }
            AppWire.ListenIntent intent = c.read().getListenIntent();
            assertEquals("files", intent.getApp());
            c.send(AppWire.AppFrame.newBuilder().setListenResult(AppWire.ListenResult.newBuilder()
                    .setRequestId(intent.getRequestId()).setStatus(listenStatus).setMessage("listen says " + listenStatus)).build());
            if (listenStatus == NodeWire.Status.OK) {
                control.run(c, intent.getPort());
            }
        });
    }

    private static AppWire.AppFrame request(int id, String caller) {
        return AppWire.AppFrame.newBuilder().setIncomingRequest(AppWire.IncomingConnectionRequest.newBuilder()
                .setConnectionId(ByteString.copyFrom(new byte[] {(byte) id})).setCallerUser(caller).setCallerPetname("Bob")
                .setCallerDevice("phone").setCallerApp("files").setApp("files").setType(NodeWire.ChannelType.DATA)).build();
    }

    private static AppWire.AppFrame opened(int id, int localPort) {
        return AppWire.AppFrame.newBuilder().setConnectionOpened(AppWire.ConnectionOpened.newBuilder()
                .setConnectionId(ByteString.copyFrom(new byte[] {(byte) id})).setLocalPort(localPort).setPath(AppWire.PathKind.HOST))
                .build();
    }

    private static String readLine(InputStream in) throws Exception {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 1_000; i++) {
            int b = in.read();
            if (b < 0 || b == '\n') {
                break;
            }
            sb.append((char) b);
        }
        return sb.toString();
    }

    @Test
    void pipesArePairedByTheDaemonsSourcePortInEitherOrder() throws Exception {
        startDaemon(NodeWire.Status.OK, (c, port) -> {
            InetAddress lo = InetAddress.getLoopbackAddress();
            // 1: the daemon connects first, behind a decoy connection nobody reports
            c.send(request(1, "pk:bob"));
            AppWire.IncomingConnectionDecision d1 = c.read().getIncomingDecision();
            events.add("decision1=" + d1.getAccept());
            try (Socket decoy = new Socket(lo, port); Socket pipe1 = new Socket(lo, port)) {
                decoy.setSoTimeout(5_000);
                pipe1.setSoTimeout(5_000);
                c.send(opened(1, pipe1.getLocalPort()));
                pipe1.getOutputStream().write("to-app-1\n".getBytes(StandardCharsets.UTF_8));
                events.add("pipe1 got " + readLine(pipe1.getInputStream()));
                events.add("decoy read " + decoy.getInputStream().read()); // closed after the pairing timeout

                // 2: the report comes before the connection
                c.send(request(2, "pk:bob"));
                events.add("decision2=" + c.read().getIncomingDecision().getAccept());
                try (Socket pipe2 = new Socket()) {
                    pipe2.bind(new java.net.InetSocketAddress(lo, 0));
                    c.send(opened(2, pipe2.getLocalPort()));
                    Thread.sleep(100);
                    pipe2.connect(new java.net.InetSocketAddress(lo, port));
                    pipe2.setSoTimeout(5_000);
                    pipe2.getOutputStream().write("to-app-2\n".getBytes(StandardCharsets.UTF_8));
                    events.add("pipe2 got " + readLine(pipe2.getInputStream()));
                }
                // 3: rejected by the handler
                c.send(request(3, "pk:mallory"));
                events.add("decision3=" + c.read().getIncomingDecision().getAccept());
            }
            c.awaitEof(); // the listener closes: intent withdrawn
            events.add("control closed");
        });
        ClientOptions options = ClientOptions.defaults().withPairingTimeout(Duration.ofMillis(300));
        List<IncomingRequest> seen = new java.util.concurrent.CopyOnWriteArrayList<>();
        try (GcsClient client = GcsClient.connect(daemon.address(), options);
                Listener listener = client.listen(FILES, r -> {
                    seen.add(r);
                    return IncomingDecision.of(r.callerUser().equals(UserId.parse("pk:bob")));
                })) {
            assertEquals(FILES, listener.app());
            assertEquals("decision1=true", next());
            PeerConnection p1 = listener.accept(Duration.ofSeconds(5));
            assertNotNull(p1);
            assertTrue(p1.incoming());
            assertEquals("01", p1.connectionId());
            assertEquals(UserId.parse("pk:bob"), p1.remoteUser());
            assertEquals(DeviceId.of("phone"), p1.remoteDevice());
            assertEquals(FILES, p1.remoteApp());
            assertEquals(ChannelType.DATA, p1.type());
            assertEquals(PathKind.HOST, p1.path());
            p1.setReadTimeout(Duration.ofSeconds(5));
            assertEquals("to-app-1", readLine(p1.input()));
            p1.output().write("from-app-1\n".getBytes(StandardCharsets.UTF_8));
            assertEquals("pipe1 got from-app-1", next());
            assertEquals("decoy read -1", next());

            assertEquals("decision2=true", next());
            PeerConnection p2 = listener.accept(Duration.ofSeconds(5));
            assertNotNull(p2);
            assertEquals("02", p2.connectionId());
            p2.setReadTimeout(Duration.ofSeconds(5));
            assertEquals("to-app-2", readLine(p2.input()));
            p2.output().write("from-app-2\n".getBytes(StandardCharsets.UTF_8));
            assertEquals("pipe2 got from-app-2", next());

            assertEquals("decision3=false", next());
            assertNull(listener.accept(Duration.ofMillis(100)));
            assertEquals(3, seen.size());
            assertEquals("Bob", seen.get(0).callerDisplayName());
            p1.close();
            p2.close();
        }
        assertEquals("control closed", next());
    }

    @Test
    void callbackDecisionHandsThePipeOver() throws Exception {
        startDaemon(NodeWire.Status.OK, (c, port) -> {
            c.send(request(7, "pk:bob"));
            c.read();
            try (Socket pipe = new Socket(InetAddress.getLoopbackAddress(), port)) {
                c.send(opened(7, pipe.getLocalPort()));
                pipe.setSoTimeout(5_000);
                pipe.getOutputStream().write("hi\n".getBytes(StandardCharsets.UTF_8));
                events.add(readLine(pipe.getInputStream()));
            }
            c.awaitEof();
        });
        CompletableFuture<String> line = new CompletableFuture<>();
        try (GcsClient client = GcsClient.local(daemon.port());
                Listener listener = client.listen(FILES, r -> IncomingDecision.accept(pipe -> {
                    try (pipe) {
                        pipe.setReadTimeout(Duration.ofSeconds(5));
                        line.complete(readLine(pipe.input()));
                        pipe.output().write("bye\n".getBytes(StandardCharsets.UTF_8));
                    } catch (Exception e) {
                        line.completeExceptionally(e);
                    }
                }))) {
            assertEquals("hi", line.get(5, TimeUnit.SECONDS));
            assertEquals("bye", next());
            assertTrue(listener.isOpen());
        }
    }

    @Test
    void refusedIntentFailsListen() throws Exception {
        startDaemon(NodeWire.Status.FAILED, (c, port) -> { });
        try (GcsClient client = GcsClient.local(daemon.port())) {
            GcsConnectException e = assertThrows(GcsConnectException.class, () -> client.listen(FILES, IncomingHandler.acceptAll()));
            assertEquals(Status.FAILED, e.status());
            assertTrue(e.getMessage().contains("listen says FAILED"), e.getMessage());
        }
    }

    @Test
    void malformedControlFrameClosesTheListener() throws Exception {
        startDaemon(NodeWire.Status.OK, (c, port) -> {
            c.send(AppWire.AppFrame.newBuilder().setIncomingRequest(AppWire.IncomingConnectionRequest.newBuilder()
                    .setConnectionId(ByteString.copyFrom(new byte[] {1})).setCallerUser("not a user id")).build());
            c.awaitEof();
            events.add("control closed");
        });
        try (GcsClient client = GcsClient.local(daemon.port());
                Listener listener = client.listen(FILES, IncomingHandler.acceptAll())) {
            Throwable t = GcsClientTest.failure(listener.closed());
            assertInstanceOf(ProtocolException.class, t);
            assertFalse(listener.isOpen());
            assertThrows(ConnectionClosedException.class, () -> listener.accept(Duration.ofSeconds(1)));
            assertEquals("control closed", next());
        }
    }

    @Test
    void daemonClosingTheControlConnectionClosesTheListener() throws Exception {
        startDaemon(NodeWire.Status.OK, (c, port) -> { });
        try (GcsClient client = GcsClient.local(daemon.port());
                Listener listener = client.listen(FILES, IncomingHandler.acceptAll())) {
            assertInstanceOf(ConnectionClosedException.class, GcsClientTest.failure(listener.closed()));
        }
    }

    private Object next() throws InterruptedException {
        Object e = events.poll(10, TimeUnit.SECONDS);
        assertNotNull(e, "no event from the fake daemon within 10 s");
        return e;
    }
}
