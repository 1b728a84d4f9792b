package org.gcs.daemon.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import org.gcs.api.wire.AppWire;
import org.gcs.api.wire.AppWire.AppFrame;
import org.gcs.api.wire.NodeWire;
import org.gcs.api.wire.NodeWire.NodeFrame;
import org.gcs.daemon.core.DaemonSettings.Privacy;
import org.gcs.daemon.testing.TestApp;
import org.gcs.daemon.testing.TestCredentials;
import org.junit.jupiter.api.Test;

/**
 * A caller whose application hangs up before the result cancels the connect (ConnectCancel through the node): the
 * callee's application is told the request was withdrawn, its decision no longer opens anything, and its listener
 * stays usable.
 */
class CancelTest extends DaemonFlowFixture {
    private Daemon daemon(String name, String device) throws Exception {
        Files.createDirectories(dir.resolve(name));
        Daemon d = new Daemon(settings(name, device, Privacy.LOCAL, false, Duration.ofSeconds(5), Duration.ofSeconds(10)),
                store, transport, scheme -> "pk".equals(scheme) ? TestCredentials.authProvider() : null);
        d.start();
        closeLater.add(d);
        return d;
    }

    private Daemon[] friends() throws Exception {
        Daemon alice = daemon("alice", "laptop");
        Daemon bob = daemon("bob", "phone");
        Files.writeString(dir.resolve("alice/friends.txt"), bob.user() + " Bob\n", StandardCharsets.UTF_8);
        Files.writeString(dir.resolve("bob/friends.txt"), alice.user() + " Alice\n", StandardCharsets.UTF_8);
        alice.checkFriends();
        bob.checkFriends();
        await(() -> alice.nodeConnected() && bob.nodeConnected(), "logins");
        return new Daemon[] {alice, bob};
    }

    /** Alice's application asks Bob's "chat" to connect; the request Bob's application gets. */
    private static AppWire.IncomingConnectionRequest ask(TestApp caller, Daemon bob, TestApp control) throws Exception {
        caller.hello();
        caller.send(connect(bob.user(), "phone", "chat", NodeWire.ChannelType.DATA, 1));
        return control.read().getIncomingRequest();
    }

    @Test
    void aCallerThatHangsUpWithdrawsTheRequestFromTheCalleesApplication() throws Exception {
        Daemon[] d = friends();
        TestApp control = listen(d[1], "chat", serverSocket().getLocalPort());
        TestApp caller = TestApp.of(d[0]);
        AppWire.IncomingConnectionRequest asked = ask(caller, d[1], control);

        caller.close(); // the caller's application hangs up before Bob's decided
        AppFrame next = control.poll(5_000);
        assertNotNull(next, "Bob's application heard nothing more");
        assertTrue(next.hasIncomingWithdrawn(), "expected the withdrawal, got " + next);
        assertEquals(asked.getConnectionId(), next.getIncomingWithdrawn().getConnectionId());
        assertNotNull(node.next(NodeFrame.BodyCase.CONNECT_CANCEL, 5_000), "the node got the cancel");

        // Bob's late yes opens nothing, and his listener goes on working
        control.send(AppFrame.newBuilder().setIncomingDecision(AppWire.IncomingConnectionDecision.newBuilder()
                .setConnectionId(asked.getConnectionId()).setAccept(true)).build());
        assertEquals(null, control.poll(500), "a late decision for a withdrawn request is ignored, without an error");
        TestApp again = TestApp.of(d[0]);
        closeLater.add(again);
        again.hello();
        again.send(connect(d[1].user(), "phone", "chat", NodeWire.ChannelType.DATA, 2));
        assertTrue(control.read().hasIncomingRequest(), "the listener still gets requests");
    }

    @Test
    void anAcceptedRequestWhoseChannelFailsIsWithdrawnNotLeftHanging() throws Exception {
        Daemon[] d = friends();
        TestApp control = listen(d[1], "chat", serverSocket().getLocalPort());
        TestApp caller = TestApp.of(d[0]);
        AppWire.IncomingConnectionRequest asked = ask(caller, d[1], control);
        control.send(AppFrame.newBuilder().setIncomingDecision(AppWire.IncomingConnectionDecision.newBuilder()
                .setConnectionId(asked.getConnectionId()).setAccept(true)).build());
        d[0].close(); // the caller's device goes away: Bob's channel cannot be made (5 s connect timeout here)
        AppFrame next = control.poll(15_000);
        assertNotNull(next, "Bob's application, which accepted, heard nothing more: it would wait for its own timeout");
        assertTrue(next.hasIncomingWithdrawn() || next.hasConnectionOpened(), "got " + next);
        if (next.hasIncomingWithdrawn()) {
            assertEquals(asked.getConnectionId(), next.getIncomingWithdrawn().getConnectionId());
            assertTrue(next.getIncomingWithdrawn().getReason().startsWith("the connection could not be opened"),
                    next.getIncomingWithdrawn().getReason());
        }
    }

    @Test
    void abandonedConnectsOpenNoPipes() throws Exception {
        Daemon[] d = friends();
        TestApp control = listen(d[1], "chat", serverSocket().getLocalPort());
        int abandoned = 10;
        for (int i = 0; i < abandoned; i++) {
            TestApp caller = TestApp.of(d[0]);
            caller.hello();
            caller.send(connect(d[1].user(), "phone", "chat", NodeWire.ChannelType.DATA, i + 1));
            caller.close();
        }
        int asked = 0;
        int withdrawn = 0;
        AppFrame f;
        while ((f = control.poll(1_500)) != null) {
            assertTrue(!f.hasConnectionOpened(), "a pipe opened for an abandoned connect");
            if (f.hasIncomingRequest()) {
                asked++;
                control.send(AppFrame.newBuilder().setIncomingDecision(AppWire.IncomingConnectionDecision.newBuilder()
                        .setConnectionId(f.getIncomingRequest().getConnectionId()).setAccept(true)).build());
            } else if (f.hasIncomingWithdrawn()) {
                withdrawn++;
            }
        }
        // an undecided request is withdrawn when the cancel arrives; one Bob's application accepted first is withdrawn
        // when its channel fails, up to the connect timeout later (anAcceptedRequestWhoseChannelFails...)
        assertTrue(asked == 0 || withdrawn > 0, asked + " requests reached Bob's application, none was withdrawn");
    }
}
