package org.gcs.daemon.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.gcs.api.AppId;
import org.gcs.api.DeviceId;
import org.gcs.api.UserId;
import org.gcs.api.transport.ChannelType;
import org.gcs.api.wire.AppWire;
import org.gcs.api.wire.AppWire.AppErrorCode;
import org.gcs.api.wire.AppWire.AppFrame;
import org.gcs.api.wire.NodeWire;
import org.gcs.api.wire.NodeWire.Status;
import org.gcs.api.wire.WireVersions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AppHandlerTest {
    /** Records what the handler asks of the daemon. */
    static final class FakeBackend implements AppBackend {
        final Map<AppId, AppControl> listeners = new ConcurrentHashMap<>();
        final List<String> calls = new ArrayList<>();
        CompletableFuture<ConnectOutcome> outcome = new CompletableFuture<>();

        @Override
        public String userId() {
            return "pk:me";
        }

        @Override
        public String deviceId() {
            return "laptop";
        }

        @Override
        public boolean nodeConnected() {
            return true;
        }

        @Override
        public CompletableFuture<DevicesResult> devices(UserId user) {
            calls.add("devices " + user);
            return CompletableFuture.completedFuture(new DevicesResult(Status.OK, List.of("phone"), ""));
        }

        @Override
        public List<AppWire.Friend> friends() {
            return List.of(AppWire.Friend.newBuilder().setUserId("pk:alice1").setPetname("Alice Smith").build());
        }

        @Override
        public String listen(AppId app, int port, AppControl control) {
            calls.add("listen " + app + " " + port);
            return listeners.putIfAbsent(app, control) == null || listeners.get(app) == control ? null : "taken";
        }

        @Override
        public void unlisten(AppControl control) {
            calls.add("unlisten");
            listeners.values().removeIf(c -> c == control);
        }

        @Override
        public boolean decide(byte[] connectionId, boolean accept, AppControl control) {
            calls.add("decide " + accept);
            return connectionId.length == 16;
        }

        @Override
        public Outgoing connect(UserId user, DeviceId device, AppId app, AppId fromApp, ChannelType type) {
            calls.add("connect " + user + "/" + device + " " + app + " " + fromApp + " " + type);
            return new Outgoing() {
                @Override
                public byte[] connectionId() {
                    return new byte[16];
                }

                @Override
                public CompletableFuture<ConnectOutcome> result() {
                    return outcome;
                }

                @Override
                public void cancel() {
                    calls.add("cancel");
                }
            };
        }
    }

    private final FakeBackend backend = new FakeBackend();

    private EmbeddedChannel channel() {
        EmbeddedChannel ch = new EmbeddedChannel();
        AppServer.initPipeline(ch, backend, AppAdmission.ownerOnly("test", Duration.ofSeconds(10), 64), Runnable::run);
        return ch;
    }

    private static ByteBuf frame(byte[] body) {
        ByteBuf b = Unpooled.buffer();
        b.writeInt(body.length).writeBytes(body);
        return b;
    }

    private static void send(EmbeddedChannel ch, AppFrame f) {
        ch.writeInbound(frame(f.toByteArray()));
    }

    private static AppFrame read(EmbeddedChannel ch) throws Exception {
        ch.runPendingTasks();
        // LengthFieldPrepender writes the length and the body as two buffers
        ByteBuf out = ch.readOutbound();
        if (out == null) {
            return null;
        }
        ByteBuf all = Unpooled.buffer();
        all.writeBytes(out);
        out.release();
        int n = all.getInt(0);
        while (all.readableBytes() < 4 + n) {
            ByteBuf more = ch.readOutbound();
            assertNotNull(more, "incomplete frame");
            all.writeBytes(more);
            more.release();
        }
        all.skipBytes(4);
        assertEquals(n, all.readableBytes());
        return AppFrame.parseFrom(ByteBufUtil.getBytes(all));
    }

    private static AppFrame hello(int version) {
        return AppFrame.newBuilder().setHello(AppWire.AppHello.newBuilder().setProtocolVersion(version)).build();
    }

    private EmbeddedChannel welcomed() throws Exception {
        EmbeddedChannel ch = channel();
        send(ch, hello(WireVersions.APP_PROTOCOL));
        AppFrame w = read(ch);
        assertEquals("pk:me", w.getWelcome().getUserId());
        assertEquals("laptop", w.getWelcome().getDeviceId());
        assertTrue(w.getWelcome().getNodeConnected());
        return ch;
    }

    private EmbeddedChannel channel(AppAdmission admission) {
        EmbeddedChannel ch = new EmbeddedChannel();
        AppServer.initPipeline(ch, backend, admission, Runnable::run);
        return ch;
    }

    @Test
    void whereACookieIsRequiredOnlyTheRightOneIsWelcomed(@TempDir Path dir) throws Exception {
        ApiCookie cookie = ApiCookie.createIn(dir, new SecureRandom());
        String hex = Files.readString(dir.resolve("api.cookie")).strip();
        AppAdmission tcp = AppAdmission.withCookie("tcp test", cookie, Duration.ofSeconds(10), 64);
        for (String presented : new String[] {"", "00".repeat(32), hex.toUpperCase(java.util.Locale.ROOT), hex + "0"}) {
            EmbeddedChannel ch = channel(tcp);
            send(ch, AppFrame.newBuilder().setHello(AppWire.AppHello.newBuilder()
                    .setProtocolVersion(WireVersions.APP_PROTOCOL).setCookie(presented)).build());
            AppFrame refused = read(ch);
            assertEquals(AppErrorCode.APP_UNAUTHORIZED, refused.getError().getCode(), presented);
            assertTrue(refused.getError().getMessage().contains("api.cookie"), refused.getError().getMessage());
            assertFalse(ch.isActive(), "a refused application is disconnected");
        }
        EmbeddedChannel good = channel(tcp);
        send(good, AppFrame.newBuilder().setHello(AppWire.AppHello.newBuilder()
                .setProtocolVersion(WireVersions.APP_PROTOCOL).setCookie(hex)).build());
        assertEquals("pk:me", read(good).getWelcome().getUserId());
        assertEquals(0, tcp.pending(), "refused and welcomed connections no longer wait");
    }

    @Test
    void aConnectionWithoutHelloIsClosedAtTheDeadline() throws Exception {
        AppAdmission admission = AppAdmission.ownerOnly("unix test", Duration.ofSeconds(10), 64);
        EmbeddedChannel silent = channel(admission);
        assertEquals(1, admission.pending());
        silent.writeInbound(Unpooled.wrappedBuffer(new byte[] {0, 0})); // half a length prefix, then nothing
        silent.advanceTimeBy(9, TimeUnit.SECONDS);
        silent.runScheduledPendingTasks();
        assertTrue(silent.isActive(), "not before the deadline");
        silent.advanceTimeBy(2, TimeUnit.SECONDS);
        silent.runScheduledPendingTasks();
        assertEquals(AppErrorCode.APP_HELLO_TIMEOUT, read(silent).getError().getCode());
        assertFalse(silent.isActive());
        assertEquals(0, admission.pending());
    }

    @Test
    void beyondThePendingBoundConnectionsAreBusyUntilOneGetsIn() throws Exception {
        AppAdmission admission = AppAdmission.ownerOnly("unix test", Duration.ofSeconds(10), 2);
        EmbeddedChannel first = channel(admission);
        EmbeddedChannel second = channel(admission);
        EmbeddedChannel third = channel(admission);
        assertEquals(AppErrorCode.APP_BUSY, read(third).getError().getCode());
        assertFalse(third.isActive());
        assertTrue(first.isActive() && second.isActive());
        send(first, hello(WireVersions.APP_PROTOCOL));
        assertTrue(read(first).hasWelcome());
        EmbeddedChannel fourth = channel(admission);
        assertTrue(fourth.isActive(), "a welcomed connection frees its place");
        assertEquals(2, admission.pending());
    }

    @Test
    void helloIsAnsweredWithWelcome() throws Exception {
        EmbeddedChannel ch = welcomed();
        assertTrue(ch.isActive());
    }

    @Test
    void versionMismatchIsAnErrorAndCloses() throws Exception {
        EmbeddedChannel ch = channel();
        send(ch, hello(99));
        AppFrame e = read(ch);
        assertEquals(AppErrorCode.APP_UNSUPPORTED_VERSION, e.getError().getCode());
        assertFalse(ch.isActive());
    }

    @Test
    void aRequestBeforeHelloCloses() throws Exception {
        EmbeddedChannel ch = channel();
        send(ch, AppFrame.newBuilder().setGetFriends(AppWire.GetFriends.newBuilder().setRequestId(1)).build());
        assertEquals(AppErrorCode.APP_MALFORMED, read(ch).getError().getCode());
        assertFalse(ch.isActive());
    }

    @Test
    void oversizeFrameClosesOnlyThatConnection() throws Exception {
        EmbeddedChannel ch = welcomed();
        EmbeddedChannel other = welcomed();
        ByteBuf big = Unpooled.buffer();
        big.writeInt(WireVersions.MAX_FRAME_BYTES + 1).writeZero(16);
        ch.writeInbound(big);
        assertEquals(AppErrorCode.APP_OVERSIZE, read(ch).getError().getCode());
        assertFalse(ch.isActive());
        send(other, AppFrame.newBuilder().setGetFriends(AppWire.GetFriends.newBuilder().setRequestId(3)).build());
        assertEquals(3, read(other).getFriends().getRequestId());
        assertTrue(other.isActive());
    }

    @Test
    void malformedFrameCloses() throws Exception {
        EmbeddedChannel ch = welcomed();
        ch.writeInbound(frame(new byte[] {(byte) 0xFF, (byte) 0xFF, (byte) 0xFF}));
        assertEquals(AppErrorCode.APP_MALFORMED, read(ch).getError().getCode());
        assertFalse(ch.isActive());
    }

    @Test
    void badIdsAreBadRequestsAndTheConnectionStays() throws Exception {
        EmbeddedChannel ch = welcomed();
        send(ch, AppFrame.newBuilder().setGetAvailableDevices(AppWire.GetAvailableDevices.newBuilder()
                .setRequestId(7).setUserId("no-scheme")).build());
        AppFrame e = read(ch);
        assertEquals(AppErrorCode.APP_BAD_REQUEST, e.getError().getCode());
        assertEquals(7, e.getError().getRequestId());
        send(ch, AppFrame.newBuilder().setConnect(AppWire.ConnectApp.newBuilder().setRequestId(8)
                .setUserId("pk:bob").setDeviceId("bad device").setApp("chat").setFromApp("chat")
                .setType(NodeWire.ChannelType.DATA)).build());
        assertEquals(8, read(ch).getError().getRequestId());
        send(ch, AppFrame.newBuilder().setConnect(AppWire.ConnectApp.newBuilder().setRequestId(9)
                .setUserId("pk:bob").setDeviceId("phone").setApp("chat").setFromApp("chat")).build());
        AppFrame noType = read(ch);
        assertEquals(AppErrorCode.APP_BAD_REQUEST, noType.getError().getCode());
        send(ch, AppFrame.newBuilder().setListenIntent(AppWire.ListenIntent.newBuilder().setRequestId(10)
                .setApp("chat").setPort(70000)).build());
        assertEquals(10, read(ch).getError().getRequestId());
        send(ch, AppFrame.newBuilder().setIncomingDecision(AppWire.IncomingConnectionDecision.newBuilder()
                .setConnectionId(ByteString.copyFrom(new byte[3])).setAccept(true)).build());
        // a decision for no pending request (withdrawn by the caller, or too late) is ignored, not an error
        assertNull(read(ch));
        assertTrue(ch.isActive());
        assertFalse(backend.calls.stream().anyMatch(c -> c.startsWith("connect") || c.startsWith("devices")));
    }

    @Test
    void devicesAndFriendsAreAnswered() throws Exception {
        EmbeddedChannel ch = welcomed();
        send(ch, AppFrame.newBuilder().setGetAvailableDevices(AppWire.GetAvailableDevices.newBuilder()
                .setRequestId(4).setUserId("pk:bob")).build());
        AppWire.AvailableDevices d = read(ch).getAvailableDevices();
        assertEquals(4, d.getRequestId());
        assertEquals(Status.OK, d.getStatus());
        assertEquals(List.of("phone"), d.getDevicesList());
        send(ch, AppFrame.newBuilder().setGetFriends(AppWire.GetFriends.newBuilder().setRequestId(5)).build());
        AppWire.Friends f = read(ch).getFriends();
        assertEquals(5, f.getRequestId());
        assertEquals("Alice Smith", f.getFriends(0).getPetname());
    }

    @Test
    void listenIntentIsWithdrawnWhenTheConnectionCloses() throws Exception {
        EmbeddedChannel ch = welcomed();
        send(ch, AppFrame.newBuilder().setListenIntent(AppWire.ListenIntent.newBuilder().setRequestId(1)
                .setApp("chat").setPort(4000)).build());
        assertEquals(Status.OK, read(ch).getListenResult().getStatus());
        assertNotNull(backend.listeners.get(AppId.of("chat")));

        EmbeddedChannel other = welcomed();
        send(other, AppFrame.newBuilder().setListenIntent(AppWire.ListenIntent.newBuilder().setRequestId(2)
                .setApp("chat").setPort(4001)).build());
        AppWire.ListenResult taken = read(other).getListenResult();
        assertEquals(Status.FAILED, taken.getStatus());

        // a control connection may not connect
        send(ch, AppFrame.newBuilder().setConnect(AppWire.ConnectApp.newBuilder().setRequestId(3)
                .setUserId("pk:bob").setDeviceId("phone").setApp("chat").setFromApp("chat")
                .setType(NodeWire.ChannelType.DATA)).build());
        assertEquals(AppErrorCode.APP_BAD_REQUEST, read(ch).getError().getCode());

        // the daemon's request reaches the app on its control connection
        backend.listeners.get(AppId.of("chat")).incomingRequest(AppWire.IncomingConnectionRequest.newBuilder()
                .setCallerUser("pk:bob").setApp("chat").build());
        assertEquals("pk:bob", read(ch).getIncomingRequest().getCallerUser());

        ch.close();
        assertNull(backend.listeners.get(AppId.of("chat")));
        assertTrue(backend.calls.contains("unlisten"));
    }

    @Test
    void connectFailureIsReportedAndTheConnectionStaysUsable() throws Exception {
        EmbeddedChannel ch = welcomed();
        send(ch, AppFrame.newBuilder().setConnect(AppWire.ConnectApp.newBuilder().setRequestId(11)
                .setUserId("pk:bob").setDeviceId("phone").setApp("chat").setFromApp("chat")
                .setType(NodeWire.ChannelType.DATA)).build());
        assertNotNull(ch.pipeline().get(EarlyBytes.NAME), "bytes after ConnectApp are kept aside, not decoded");
        assertNull(read(ch));
        backend.outcome.complete(new AppBackend.ConnectOutcome(Status.DEVICE_OFFLINE, "phone is offline", null));
        AppWire.OutgoingConnectionRequestResult r = read(ch).getOutgoingResult();
        assertEquals(11, r.getRequestId());
        assertEquals(Status.DEVICE_OFFLINE, r.getStatus());
        assertEquals(16, r.getConnectionId().size());
        assertTrue(ch.config().isAutoRead());
        assertTrue(ch.isActive());
    }

    @Test
    void closingWhileConnectingCancels() throws Exception {
        EmbeddedChannel ch = welcomed();
        send(ch, AppFrame.newBuilder().setConnect(AppWire.ConnectApp.newBuilder().setRequestId(12)
                .setUserId("pk:bob").setDeviceId("phone").setApp("chat").setFromApp("chat")
                .setType(NodeWire.ChannelType.STREAM)).build());
        ch.close();
        assertTrue(backend.calls.contains("cancel"));
    }
}
