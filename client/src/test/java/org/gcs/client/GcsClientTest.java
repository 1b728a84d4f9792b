package org.gcs.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.gcs.api.DeviceId;
import org.gcs.api.ProtocolException;
import org.gcs.api.RefusedException;
import org.gcs.api.UnknownUserException;
import org.gcs.api.UserId;
import org.gcs.api.wire.AppWire;
import org.gcs.api.wire.NodeWire;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(20)
class GcsClientTest {
    private FakeDaemon daemon;

    @AfterEach
    void stop() throws Exception {
        if (daemon != null) {
            daemon.close();
            assertEquals(List.of(), daemon.failures, "fake daemon script failures");
        }
    }

    /** Serves requests on a connection after the hello until the client closes it. */
    static FakeDaemon.Script serving(Function<AppWire.AppFrame, AppWire.AppFrame> answer) {
        return c -> {
            c.welcome();
            for (int i = 0; i < 1_000; i++) {
                AppWire.AppFrame f = c.read();
                if (f == null) {
                    return;
                }
                AppWire.AppFrame reply = answer.apply(f);
                if (reply != null) {
                    c.send(reply);
                }
            }
        };
    }

    static AppWire.AppFrame devicesAnswer(AppWire.AppFrame request) {
        if (!request.hasGetAvailableDevices()) {
            if (request.hasGetFriends()) {
                return AppWire.AppFrame.newBuilder().setFriends(AppWire.Friends.newBuilder()
                        .setRequestId(request.getGetFriends().getRequestId())
                        .addFriends(AppWire.Friend.newBuilder().setUserId("pk:bob").setPetname("Bob"))
                        .addFriends(AppWire.Friend.newBuilder().setUserId("bns:carol.id"))).build();
            }
            throw new IllegalStateException("unexpected " + request);
        }
        AppWire.GetAvailableDevices q = request.getGetAvailableDevices();
        AppWire.AvailableDevices.Builder a = AppWire.AvailableDevices.newBuilder().setRequestId(q.getRequestId());
        switch (q.getUserId()) {
            case "pk:bob" -> a.setStatus(NodeWire.Status.OK).addDevices("laptop").addDevices("phone");
            case "pk:nobody" -> a.setStatus(NodeWire.Status.UNKNOWN_USER);
            case "pk:stranger" -> a.setStatus(NodeWire.Status.REFUSED).setMessage("not a friend");
            case "pk:silent" -> {
                return null;
            }
            default -> a.setStatus(NodeWire.Status.FAILED).setMessage("no idea");
        }
        return AppWire.AppFrame.newBuilder().setAvailableDevices(a).build();
    }

    @Test
    void helloExposesTheWelcome() throws Exception {
        daemon = new FakeDaemon(serving(GcsClientTest::devicesAnswer));
        try (GcsClient client = GcsClient.local(daemon.port())) {
            assertEquals(UserId.parse(FakeDaemon.USER), client.user());
            assertEquals(DeviceId.of(FakeDaemon.DEVICE), client.device());
            assertTrue(client.nodeConnected());
            assertEquals(1, client.protocolVersion());
        }
    }

    @Test
    void welcomeWithAnotherVersionIsIncompatible() throws Exception {
        daemon = new FakeDaemon(c -> {
            c.read();
            c.send(AppWire.AppFrame.newBuilder().setWelcome(AppWire.AppWelcome.newBuilder().setProtocolVersion(2)
                    .setUserId(FakeDaemon.USER).setDeviceId(FakeDaemon.DEVICE)).build());
            c.awaitEof();
        });
        IncompatibleDaemonException e = assertThrows(IncompatibleDaemonException.class, () -> GcsClient.local(daemon.port()));
        assertEquals(1, e.clientVersion());
        assertEquals(2, e.daemonVersion());
        assertTrue(e.getMessage().contains("version 2"), e.getMessage());
    }

    @Test
    void unsupportedVersionErrorIsIncompatible() throws Exception {
        daemon = new FakeDaemon(c -> {
            c.read();
            c.send(AppWire.AppFrame.newBuilder().setError(AppWire.AppError.newBuilder()
                    .setCode(AppWire.AppErrorCode.APP_UNSUPPORTED_VERSION).setMessage("supported: 7")).build());
        });
        IncompatibleDaemonException e = assertThrows(IncompatibleDaemonException.class, () -> GcsClient.local(daemon.port()));
        assertEquals(-1, e.daemonVersion());
        assertTrue(e.getMessage().contains("supported: 7"), e.getMessage());
    }

    @Test
    void garbageInsteadOfWelcomeIsAProtocolError() throws Exception {
        daemon = new FakeDaemon(c -> {
            c.read();
            c.out.write(new byte[] {0, 0, 0, 3, (byte) 0xff, (byte) 0xff, (byte) 0xff});
            c.out.flush();
            c.awaitEof();
        });
        assertThrows(ProtocolException.class, () -> GcsClient.local(daemon.port()));
    }

    @Test
    void silentDaemonTimesOutTheHello() throws Exception {
        daemon = new FakeDaemon(c -> c.awaitEof());
        ClientOptions options = ClientOptions.defaults().withConnectTimeout(Duration.ofMillis(300));
        assertThrows(SocketTimeoutException.class, () -> GcsClient.connect(daemon.address(), options));
    }

    @Test
    void availableDevicesAndFriends() throws Exception {
        daemon = new FakeDaemon(serving(GcsClientTest::devicesAnswer));
        try (GcsClient client = GcsClient.local(daemon.port())) {
            assertEquals(List.of(DeviceId.of("laptop"), DeviceId.of("phone")),
                    client.availableDevices(UserId.parse("pk:bob")).get(5, TimeUnit.SECONDS));
            assertEquals(List.of(new Friend(UserId.parse("pk:bob"), "Bob"), new Friend(UserId.parse("bns:carol.id"), "")),
                    client.friends().get(5, TimeUnit.SECONDS));
        }
    }

    /** Answers GetFriends from {@code all} in pages of {@code pageSize}; {@code total} may lie about the list's size. */
    private static AppWire.AppFrame friendsPage(AppWire.AppFrame request, List<String> all, int pageSize,
                                               java.util.function.IntUnaryOperator total, int[] asked) {
        AppWire.GetFriends get = request.getGetFriends();
        int from = Math.min(get.getOffset(), all.size());
        int to = Math.min(all.size(), from + pageSize);
        AppWire.Friends.Builder page = AppWire.Friends.newBuilder().setRequestId(get.getRequestId())
                .setTotal(total.applyAsInt(asked[0]++)).setNextOffset(to < all.size() ? to : 0);
        for (String id : all.subList(from, to)) {
            page.addFriends(AppWire.Friend.newBuilder().setUserId(id).setPetname("n" + id.length()));
        }
        return AppWire.AppFrame.newBuilder().setFriends(page).build();
    }

    private static List<String> ids(int n) {
        List<String> ids = new java.util.ArrayList<>();
        for (int i = 0; i < n; i++) {
            ids.add("pk:friend" + i);
        }
        return ids;
    }

    @Test
    void friendsComeInPagesAndAreReadToTheEnd() throws Exception {
        List<String> all = ids(5_000);
        int[] asked = new int[1];
        daemon = new FakeDaemon(serving(r -> friendsPage(r, all, 700, i -> all.size(), asked)));
        try (GcsClient client = GcsClient.local(daemon.port())) {
            List<Friend> got = client.friends().get(10, TimeUnit.SECONDS);
            assertEquals(all, got.stream().map(f -> f.user().toString()).toList());
            assertEquals(8, asked[0], "ceil(5000 / 700) pages");
        }
    }

    @Test
    void aListThatChangesWhileItIsReadIsReadAgainAndOneThatKeepsChangingFails() throws Exception {
        List<String> all = ids(2_000);
        int[] asked = new int[1];
        // the second page says the list grew: the client starts again from offset 0 and then reads it through
        daemon = new FakeDaemon(serving(r -> friendsPage(r, all, 500, i -> i == 1 ? 2_001 : all.size(), asked)));
        try (GcsClient client = GcsClient.local(daemon.port())) {
            assertEquals(all, client.friends().get(10, TimeUnit.SECONDS).stream().map(f -> f.user().toString()).toList());
            assertEquals(2 + 4, asked[0]);
        }
        daemon.close();
        int[] asked2 = new int[1];
        daemon = new FakeDaemon(serving(r -> friendsPage(r, all, 500, i -> all.size() + i, asked2)));
        try (GcsClient client = GcsClient.local(daemon.port())) {
            Throwable t = failure(client.friends());
            assertTrue(t.getMessage().contains("kept changing"), t.toString());
            assertEquals(2 * (GcsClient.FRIENDS_RESTARTS + 1), asked2[0], "bounded: two pages per attempt");
        }
    }

    @Test
    void aPageThatDoesNotMoveOnIsAProtocolError() throws Exception {
        daemon = new FakeDaemon(serving(r -> AppWire.AppFrame.newBuilder().setFriends(AppWire.Friends.newBuilder()
                .setRequestId(r.getGetFriends().getRequestId()).setTotal(10)
                .setNextOffset(r.getGetFriends().getOffset() == 0 ? 5 : r.getGetFriends().getOffset())
                .addFriends(AppWire.Friend.newBuilder().setUserId("pk:loop"))).build()));
        try (GcsClient client = GcsClient.local(daemon.port())) {
            assertInstanceOf(ProtocolException.class, failure(client.friends()));
        }
    }

    @Test
    void statusesMapToTypedExceptions() throws Exception {
        daemon = new FakeDaemon(serving(GcsClientTest::devicesAnswer));
        try (GcsClient client = GcsClient.local(daemon.port())) {
            Throwable unknown = failure(client.availableDevices(UserId.parse("pk:nobody")));
            assertInstanceOf(UnknownUserException.class, unknown);
            assertEquals(Status.UNKNOWN_USER, Status.of(unknown).orElseThrow());

            Throwable refused = failure(client.availableDevices(UserId.parse("pk:stranger")));
            assertInstanceOf(RefusedException.class, refused);
            assertEquals(Status.REFUSED, ((HasStatus) refused).status());
            assertTrue(refused.getMessage().contains("not a friend"), refused.getMessage());

            Throwable failed = failure(client.availableDevices(UserId.parse("pk:other")));
            assertEquals(Status.FAILED, assertInstanceOf(GcsConnectException.class, failed).status());
            assertTrue(client.isOpen(), "a failure status keeps the connection");
        }
    }

    @Test
    void requestsAreMatchedByIdNotByOrder() throws Exception {
        daemon = new FakeDaemon(c -> {
            c.welcome();
            AppWire.AppFrame first = c.read();
            AppWire.AppFrame second = c.read();
            c.send(devicesAnswer(second));
            c.send(devicesAnswer(first));
            c.awaitEof();
        });
        try (GcsClient client = GcsClient.local(daemon.port())) {
            CompletableFuture<List<DeviceId>> bob = client.availableDevices(UserId.parse("pk:bob"));
            CompletableFuture<List<DeviceId>> nobody = client.availableDevices(UserId.parse("pk:nobody"));
            assertEquals(2, bob.get(5, TimeUnit.SECONDS).size());
            assertInstanceOf(UnknownUserException.class, failure(nobody));
        }
    }

    @Test
    void unansweredRequestTimesOut() throws Exception {
        daemon = new FakeDaemon(serving(GcsClientTest::devicesAnswer));
        ClientOptions options = ClientOptions.defaults().withRequestTimeout(Duration.ofMillis(300));
        try (GcsClient client = GcsClient.connect(daemon.address(), options)) {
            Throwable t = failure(client.availableDevices(UserId.parse("pk:silent")));
            assertEquals(Status.TIMEOUT, assertInstanceOf(GcsConnectException.class, t).status());
            assertTrue(client.isOpen());
        }
    }

    @Test
    void malformedFrameFailsPendingRequestsAndCloses() throws Exception {
        daemon = new FakeDaemon(c -> {
            c.welcome();
            c.read();
            c.read();
            c.out.write(new byte[] {0, 0, 0, 2, (byte) 0xff, (byte) 0xff});
            c.out.flush();
            c.awaitEof();
        });
        try (GcsClient client = GcsClient.local(daemon.port())) {
            CompletableFuture<List<DeviceId>> a = client.availableDevices(UserId.parse("pk:bob"));
            CompletableFuture<List<Friend>> b = client.friends();
            assertInstanceOf(ProtocolException.class, failure(a));
            assertInstanceOf(ProtocolException.class, failure(b));
            assertFalse(client.isOpen());
            assertInstanceOf(ProtocolException.class, failure(client.closed()));
            assertInstanceOf(ConnectionClosedException.class, failure(client.friends()));
        }
    }

    @Test
    void oversizeFrameIsAProtocolError() throws Exception {
        daemon = new FakeDaemon(c -> {
            c.welcome();
            c.read();
            c.out.write(new byte[] {0, 0x10, 0, 0});
            c.out.flush();
            c.awaitEof();
        });
        try (GcsClient client = GcsClient.local(daemon.port())) {
            assertInstanceOf(ProtocolException.class, failure(client.friends()));
        }
    }

    @Test
    void answerOfTheWrongTypeIsAProtocolError() throws Exception {
        daemon = new FakeDaemon(c -> {
            c.welcome();
            AppWire.AppFrame f = c.read();
            c.send(AppWire.AppFrame.newBuilder().setFriends(AppWire.Friends.newBuilder()
                    .setRequestId(f.getGetAvailableDevices().getRequestId())).build());
            c.awaitEof();
        });
        try (GcsClient client = GcsClient.local(daemon.port())) {
            assertInstanceOf(ProtocolException.class, failure(client.availableDevices(UserId.parse("pk:bob"))));
        }
    }

    @Test
    void invalidDeviceIdFromDaemonIsAProtocolError() throws Exception {
        daemon = new FakeDaemon(serving(f -> AppWire.AppFrame.newBuilder().setAvailableDevices(AppWire.AvailableDevices.newBuilder()
                .setRequestId(f.getGetAvailableDevices().getRequestId()).setStatus(NodeWire.Status.OK).addDevices("bad/name")).build()));
        try (GcsClient client = GcsClient.local(daemon.port())) {
            assertInstanceOf(ProtocolException.class, failure(client.availableDevices(UserId.parse("pk:bob"))));
        }
    }

    @Test
    void closeFailsPendingRequests() throws Exception {
        daemon = new FakeDaemon(serving(GcsClientTest::devicesAnswer));
        GcsClient client = GcsClient.local(daemon.port());
        CompletableFuture<List<DeviceId>> pending = client.availableDevices(UserId.parse("pk:silent"));
        client.close();
        assertInstanceOf(ConnectionClosedException.class, failure(pending));
        assertTrue(client.closed().isDone() && !client.closed().isCompletedExceptionally());
    }

    static Throwable failure(CompletableFuture<?> future) throws Exception {
        ExecutionException e = assertThrows(ExecutionException.class, () -> future.get(5, TimeUnit.SECONDS));
        return e.getCause();
    }
}
