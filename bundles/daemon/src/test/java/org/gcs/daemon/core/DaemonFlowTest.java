package org.gcs.daemon.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import org.gcs.api.UserId;
import org.gcs.api.wire.AppWire;
import org.gcs.api.wire.AppWire.AppFrame;
import org.gcs.api.wire.NodeWire;
import org.gcs.api.wire.NodeWire.Status;
import org.gcs.daemon.testing.TestApp;
import org.junit.jupiter.api.Test;

/** Two or three daemons, a stand-in node and an in-memory transport: the whole caller/callee flow over real sockets. */
class DaemonFlowTest extends DaemonFlowFixture {
    private Daemon daemon(String name, String device, DaemonSettings.Privacy privacy, int connectTimeout, int decisionTimeout)
            throws Exception {
        Files.createDirectories(dir.resolve(name));
        DaemonSettings s = settings(name, device, privacy, false, Duration.ofSeconds(connectTimeout),
                Duration.ofSeconds(decisionTimeout));
        Daemon d = new Daemon(s, store, transport);
        d.start();
        closeLater.add(d);
        return d;
    }

    private Daemon daemon(String name, String device) throws Exception {
        return daemon(name, device, DaemonSettings.Privacy.UPLOAD, 10, 10);
    }

    private void befriend(Daemon d, String name, Daemon friend, String petname) throws Exception {
        Files.writeString(dir.resolve(name).resolve("friends.txt"), friend.user() + " " + petname + "\n", StandardCharsets.UTF_8);
        d.checkFriends();
    }


    private TestApp app(Daemon d) throws Exception {
        TestApp a = TestApp.of(d);
        closeLater.add(a);
        return a;
    }




    @Test
    void dataConnectionIsAcceptedPipedAndHalfClosed() throws Exception {
        Daemon alice = daemon("alice", "laptop");
        Daemon bob = daemon("bob", "phone");
        befriend(alice, "alice", bob, "Bob");
        befriend(bob, "bob", alice, "Alice Smith");
        await(() -> alice.nodeConnected() && bob.nodeConnected(), "logins");
        await(() -> node.uploadedFriends(bob.user(), "phone") != null
                && node.uploadedFriends(bob.user(), "phone").contains(alice.user().toString()), "bob's friends upload");
        assertEquals(alice.user() + "\n", Files.readString(dir.resolve("alice/state/user-id")));
        assertEquals(alice.apiPort() + "\n", Files.readString(dir.resolve("alice/state/api.port")));

        ServerSocket bobChat = serverSocket();
        TestApp control = listen(bob, "chat", bobChat.getLocalPort());

        TestApp caller = app(alice);
        AppWire.AppWelcome w = caller.hello();
        assertTrue(w.getNodeConnected());
        assertEquals(alice.user().toString(), w.getUserId());
        caller.send(AppFrame.newBuilder().setGetAvailableDevices(AppWire.GetAvailableDevices.newBuilder()
                .setRequestId(5).setUserId(bob.user().toString())).build());
        AppWire.AvailableDevices devices = caller.read().getAvailableDevices();
        assertEquals(Status.OK, devices.getStatus());
        assertEquals(List.of("phone"), devices.getDevicesList());
        caller.send(AppFrame.newBuilder().setGetFriends(AppWire.GetFriends.newBuilder().setRequestId(6)).build());
        assertEquals("Bob", caller.read().getFriends().getFriends(0).getPetname());

        caller.send(connect(bob.user(), "phone", "chat", NodeWire.ChannelType.DATA, 7));
        AppWire.IncomingConnectionRequest in = control.read().getIncomingRequest();
        assertEquals(alice.user().toString(), in.getCallerUser());
        assertEquals("Alice Smith", in.getCallerPetname());
        assertEquals("laptop", in.getCallerDevice());
        assertEquals("chat", in.getApp());
        control.send(AppFrame.newBuilder().setIncomingDecision(AppWire.IncomingConnectionDecision.newBuilder()
                .setConnectionId(in.getConnectionId()).setAccept(true)).build());

        AppWire.OutgoingConnectionRequestResult result = caller.read().getOutgoingResult();
        assertEquals(Status.ACCEPTED, result.getStatus(), result.getMessage());
        assertEquals(7, result.getRequestId());
        assertEquals(in.getConnectionId(), result.getConnectionId());
        assertEquals(AppWire.PathKind.HOST, result.getPath());

        Socket callee = bobChat.accept();
        callee.setSoTimeout(10_000);
        closeLater.add(callee);
        AppWire.ConnectionOpened opened = control.read().getConnectionOpened();
        assertEquals(in.getConnectionId(), opened.getConnectionId());
        assertEquals(callee.getPort(), opened.getLocalPort());

        // a "file" of 300 kB, then end of file by half-close; the answer comes back after it
        byte[] file = new byte[300_000];
        new Random(7).nextBytes(file);
        OutputStream up = caller.socket.getOutputStream();
        Thread sender = new Thread(() -> {
            try {
                up.write(file);
                caller.socket.shutdownOutput();
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
        });
        sender.start();
        assertArrayEquals(file, TestApp.readAll(callee.getInputStream()));
        sender.join(10_000);
        callee.getOutputStream().write("got it".getBytes(StandardCharsets.UTF_8));
        callee.close();
        InputStream down = caller.socket.getInputStream();
        assertEquals("got it", new String(TestApp.readAll(down), StandardCharsets.UTF_8));
        await(() -> transport.created.stream().allMatch(s -> s.closed), "sessions closed after the pipe");
    }

    @Test
    void unsuccessfulOutcomesReachTheCallerAndTheConnectionStaysUsable() throws Exception {
        Daemon alice = daemon("alice", "laptop");
        Daemon bob = daemon("bob", "phone", DaemonSettings.Privacy.UPLOAD, 10, 1);
        befriend(bob, "bob", alice, "Alice");
        await(() -> alice.nodeConnected() && bob.nodeConnected()
                && node.uploadedFriends(bob.user(), "phone") != null
                && !node.uploadedFriends(bob.user(), "phone").isEmpty(), "logins");
        TestApp control = listen(bob, "chat", serverSocket().getLocalPort());
        TestApp caller = app(alice);
        caller.hello();

        caller.send(connect(bob.user(), "phone", "chat", NodeWire.ChannelType.DATA, 1));
        AppWire.IncomingConnectionRequest in = control.read().getIncomingRequest();
        control.send(AppFrame.newBuilder().setIncomingDecision(AppWire.IncomingConnectionDecision.newBuilder()
                .setConnectionId(in.getConnectionId()).setAccept(false)).build());
        assertEquals(Status.REJECTED, caller.read().getOutgoingResult().getStatus());

        caller.send(connect(bob.user(), "phone", "files", NodeWire.ChannelType.DATA, 2));
        assertEquals(Status.UNKNOWN_APP, caller.read().getOutgoingResult().getStatus());

        caller.send(connect(bob.user(), "tablet", "chat", NodeWire.ChannelType.DATA, 3));
        assertEquals(Status.DEVICE_OFFLINE, caller.read().getOutgoingResult().getStatus());

        caller.send(connect(UserId.parse("pk:nobody"), "tablet", "chat", NodeWire.ChannelType.DATA, 4));
        assertEquals(Status.UNKNOWN_USER, caller.read().getOutgoingResult().getStatus());

        // bob's app hears the request but never decides: REJECTED after bob's 1 s decision timeout
        caller.send(connect(bob.user(), "phone", "chat", NodeWire.ChannelType.DATA, 5));
        assertNotNull(control.read().getIncomingRequest());
        AppWire.OutgoingConnectionRequestResult late = caller.read().getOutgoingResult();
        assertEquals(Status.REJECTED, late.getStatus());
        assertEquals(5, late.getRequestId());

        // the caller's own timeout when nobody answers at all
        node.swallowConnects = true;
        Daemon hasty = daemon("hasty", "desk", DaemonSettings.Privacy.UPLOAD, 1, 10);
        await(hasty::nodeConnected, "login");
        TestApp impatient = app(hasty);
        impatient.hello();
        impatient.send(connect(bob.user(), "phone", "chat", NodeWire.ChannelType.DATA, 6));
        assertEquals(Status.TIMEOUT, impatient.read().getOutgoingResult().getStatus());

        // closing the control connection withdraws the intent
        node.swallowConnects = false;
        control.close();
        Thread.sleep(200);
        caller.send(connect(bob.user(), "phone", "chat", NodeWire.ChannelType.DATA, 7));
        assertEquals(Status.UNKNOWN_APP, caller.read().getOutgoingResult().getStatus());
    }

    @Test
    void localPrivacyModeRefusesNonFriendsWithoutAskingTheApp() throws Exception {
        Daemon alice = daemon("alice", "laptop");
        Daemon carol = daemon("carol", "desk", DaemonSettings.Privacy.LOCAL, 10, 10);
        await(() -> alice.nodeConnected() && carol.nodeConnected(), "logins");
        assertNull(node.uploadedFriends(carol.user(), "desk"));
        TestApp control = listen(carol, "chat", serverSocket().getLocalPort());
        TestApp caller = app(alice);
        caller.hello();
        caller.send(connect(carol.user(), "desk", "chat", NodeWire.ChannelType.DATA, 1));
        assertEquals(Status.REFUSED, caller.read().getOutgoingResult().getStatus());
        assertNull(control.poll(300));

        // once alice is a friend, carol's app is asked
        befriend(carol, "carol", alice, "Alice");
        caller.send(connect(carol.user(), "desk", "chat", NodeWire.ChannelType.DATA, 2));
        assertEquals("Alice", control.read().getIncomingRequest().getCallerPetname());
    }

    @Test
    void friendsFileChangesAreUploadedWithoutReconnect() throws Exception {
        Daemon alice = daemon("alice", "laptop");
        await(alice::nodeConnected, "login");
        Files.writeString(dir.resolve("alice/friends.txt"), "pk:bob1 Bob\n# comment\nbroken line\npk:carol1 Carol C\n");
        alice.checkFriends();
        await(() -> java.util.Set.of("pk:bob1", "pk:carol1").equals(node.uploadedFriends(alice.user(), "laptop")), "upload");
        assertEquals(1, node.logins.get());
    }

    @Test
    void streamConnectionCarriesLengthPrefixedDatagrams() throws Exception {
        Daemon alice = daemon("alice", "laptop");
        Daemon bob = daemon("bob", "phone");
        befriend(bob, "bob", alice, "Alice");
        await(() -> alice.nodeConnected() && bob.nodeConnected()
                && node.uploadedFriends(bob.user(), "phone") != null
                && !node.uploadedFriends(bob.user(), "phone").isEmpty(), "logins");
        ServerSocket media = serverSocket();
        TestApp control = listen(bob, "camera", media.getLocalPort());
        TestApp caller = app(alice);
        caller.hello();
        caller.send(connect(bob.user(), "phone", "camera", NodeWire.ChannelType.STREAM, 1));
        AppWire.IncomingConnectionRequest in = control.read().getIncomingRequest();
        assertEquals(NodeWire.ChannelType.STREAM, in.getType());
        control.send(AppFrame.newBuilder().setIncomingDecision(AppWire.IncomingConnectionDecision.newBuilder()
                .setConnectionId(in.getConnectionId()).setAccept(true)).build());
        assertEquals(Status.ACCEPTED, caller.read().getOutgoingResult().getStatus());
        Socket callee = media.accept();
        callee.setSoTimeout(10_000);
        closeLater.add(callee);

        DataOutputStream out = new DataOutputStream(caller.socket.getOutputStream());
        for (int i = 1; i <= 3; i++) {
            out.writeShort(i * 100);
            out.write(new byte[i * 100]);
        }
        out.flush();
        DataInputStream bobIn = new DataInputStream(callee.getInputStream());
        for (int i = 1; i <= 3; i++) {
            int n = bobIn.readUnsignedShort();
            assertEquals(i * 100, n);
            bobIn.readFully(new byte[n]);
        }
        DataOutputStream back = new DataOutputStream(callee.getOutputStream());
        back.writeShort(5);
        back.write("hello".getBytes(StandardCharsets.UTF_8));
        back.flush();
        DataInputStream aliceIn = new DataInputStream(caller.socket.getInputStream());
        assertEquals(5, aliceIn.readUnsignedShort());
        byte[] hello = new byte[5];
        aliceIn.readFully(hello);
        assertEquals("hello", new String(hello, StandardCharsets.UTF_8));
    }

    @Test
    void withoutANodeRequestsFailCleanly() throws Exception {
        Daemon alice = daemon("alice", "laptop");
        await(alice::nodeConnected, "login");
        node.close();
        await(() -> !alice.nodeConnected(), "disconnect");
        TestApp caller = app(alice);
        assertFalse(caller.hello().getNodeConnected());
        caller.send(connect(UserId.parse("pk:bob1"), "phone", "chat", NodeWire.ChannelType.DATA, 1));
        AppWire.OutgoingConnectionRequestResult r = caller.read().getOutgoingResult();
        assertEquals(Status.FAILED, r.getStatus());
        caller.send(AppFrame.newBuilder().setGetAvailableDevices(AppWire.GetAvailableDevices.newBuilder()
                .setRequestId(2).setUserId("pk:bob1")).build());
        AppWire.AvailableDevices d = caller.read().getAvailableDevices();
        assertEquals(Status.FAILED, d.getStatus());
        assertTrue(d.getMessage().startsWith("not connected to the node"), d.getMessage());
    }
}
