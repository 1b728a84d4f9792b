package org.gcs.daemon.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;
import org.gcs.api.UserId;
import org.gcs.api.transport.Role;
import org.gcs.api.wire.AppWire;
import org.gcs.api.wire.AppWire.AppFrame;
import org.gcs.api.wire.NodeWire;
import org.gcs.api.wire.NodeWire.NodeFrame;
import org.gcs.api.wire.NodeWire.Status;
import org.gcs.daemon.core.DaemonSettings.Privacy;
import org.gcs.daemon.testing.FakeTransport;
import org.gcs.daemon.testing.TestApp;
import org.gcs.daemon.testing.TestCredentials;
import org.gcs.daemon.testing.TestNode;
import org.junit.jupiter.api.Test;

/**
 * The three privacy modes and end-to-end authentication between real daemons, with a stand-in node that can turn
 * malicious ({@link TestNode#tamper}) and an in-memory transport.
 */
class AuthenticatedFlowTest extends DaemonFlowFixture {
    private DaemonSettings settings(String name, String device, Privacy privacy, boolean mutualAuth) {
        return settings(name, device, privacy, mutualAuth, Duration.ofSeconds(5), Duration.ofSeconds(5));
    }

    private Daemon daemon(String name, String device, Privacy privacy, boolean mutualAuth) throws Exception {
        Files.createDirectories(dir.resolve(name));
        Daemon d = new Daemon(settings(name, device, privacy, mutualAuth), store, transport,
                scheme -> "pk".equals(scheme) ? TestCredentials.authProvider() : null);
        d.start();
        closeLater.add(d);
        return d;
    }

    private void friends(Daemon d, String name, String lines) throws Exception {
        Files.writeString(dir.resolve(name).resolve("friends.txt"), lines, StandardCharsets.UTF_8);
        d.checkFriends();
    }


    private TestApp app(Daemon d) throws Exception {
        TestApp a = TestApp.of(d);
        closeLater.add(a);
        a.hello();
        return a;
    }



    private static AppFrame decision(AppWire.IncomingConnectionRequest in, boolean accept) {
        return AppFrame.newBuilder().setIncomingDecision(AppWire.IncomingConnectionDecision.newBuilder()
                .setConnectionId(in.getConnectionId()).setAccept(accept)).build();
    }


    /** Alice and Bob, friends of each other, logged in. */
    private Daemon[] pair(Privacy privacy, boolean mutualAuth) throws Exception {
        Daemon alice = daemon("alice", "laptop", privacy, mutualAuth);
        Daemon bob = daemon("bob", "phone", privacy, mutualAuth);
        friends(alice, "alice", bob.user() + " Bob\n");
        friends(bob, "bob", alice.user() + " Alice\n");
        await(() -> alice.nodeConnected() && bob.nodeConnected(), "logins");
        if (privacy == Privacy.UPLOAD) {
            await(() -> node.uploadedFriends(bob.user(), "phone") != null
                    && node.uploadedFriends(bob.user(), "phone").contains(alice.user().toString()), "bob's upload");
        }
        return new Daemon[] {alice, bob};
    }

    /** After {@link #connectAccepted}: both daemons, Bob's chat port, his app's control connection, Alice's app. */
    private record Accepted(Daemon[] daemons, ServerSocket bobChat, TestApp control, TestApp caller) {
    }

    /** Alice connects to Bob's chat app in {@code privacy}, which accepts; returns once Alice's app heard ACCEPTED. */
    private Accepted connectAccepted(Privacy privacy, boolean mutualAuth) throws Exception {
        Daemon[] p = pair(privacy, mutualAuth);
        ServerSocket bobChat = serverSocket();
        TestApp control = listen(p[1], "chat", bobChat.getLocalPort());
        TestApp caller = app(p[0]);
        caller.send(connect(p[1].user(), "phone", "chat", NodeWire.ChannelType.DATA, 1));
        control.send(decision(control.read().getIncomingRequest(), true));
        assertEquals(Status.ACCEPTED, caller.read().getOutgoingResult().getStatus());
        return new Accepted(p, bobChat, control, caller);
    }

    @Test
    void getFriendsReportsPetnamesAndWhichFriendsAreAuthenticated() throws Exception {
        Daemon alice = daemon("alice", "laptop", Privacy.UPLOAD, false);
        friends(alice, "alice", "pk:bobbob +auth Bob the Builder\npk:carol Carol\n");
        TestApp app = app(alice);
        app.send(AppFrame.newBuilder().setGetFriends(AppWire.GetFriends.newBuilder().setRequestId(9)).build());
        java.util.Map<String, AppWire.Friend> got = new java.util.HashMap<>();
        app.read().getFriends().getFriendsList().forEach(f -> got.put(f.getUserId(), f));
        assertEquals(java.util.Set.of("pk:bobbob", "pk:carol"), got.keySet());
        assertEquals("Bob the Builder", got.get("pk:bobbob").getPetname());
        assertTrue(got.get("pk:bobbob").getAuthenticated(), "+auth entry");
        assertEquals("Carol", got.get("pk:carol").getPetname());
        assertFalse(got.get("pk:carol").getAuthenticated(), "plain entry in mode upload");

        Daemon dave = daemon("dave", "tablet", Privacy.LOCAL_AUTHENTICATED, false);
        friends(dave, "dave", "pk:carol Carol\n");
        TestApp daveApp = app(dave);
        daveApp.send(AppFrame.newBuilder().setGetFriends(AppWire.GetFriends.newBuilder().setRequestId(10)).build());
        assertTrue(daveApp.read().getFriends().getFriends(0).getAuthenticated(), "every friend in local-authenticated");
    }

    private long calleeSessions() {
        return transport.created.stream().filter(s -> s.options.role() == Role.CONTROLLED).count();
    }

    /**
     * The callee checks the offer's signature before it builds a session: after a failed check there is none (no
     * sockets, no TURN allocation, no connectivity check toward the caller's candidates).
     */
    private void assertThePreparedSessionNeverSawTheOffer() throws InterruptedException {
        Thread.sleep(200);
        assertEquals(0, calleeSessions(), "the callee built a session for an offer that failed authentication");
    }

    private NodeWire.ConnectResponse nextResponse() throws InterruptedException {
        TestNode.Received r = node.next(NodeFrame.BodyCase.CONNECT_RESPONSE, 10_000);
        assertNotNull(r, "the callee answered");
        return r.frame().getConnectResponse();
    }

    // ---------------------------------------------------------------- mode 3: the good paths

    @Test
    void theCalleeSignalsNothingBeforeItsAnswer() throws Exception {
        // the callee prepares its session while it checks the offer; what that session signals meanwhile is held
        Daemon[] p = pair(Privacy.LOCAL_AUTHENTICATED, false);
        TestApp control = listen(p[1], "chat", serverSocket().getLocalPort());
        TestApp caller = app(p[0]);
        node.received.clear();
        caller.send(connect(p[1].user(), "phone", "chat", NodeWire.ChannelType.DATA, 1));
        control.read().getIncomingRequest();
        List<NodeFrame.BodyCase> fromCallee = node.received.stream()
                .filter(r -> r.from().startsWith(p[1].user() + "/"))
                .map(r -> r.frame().getBodyCase())
                .filter(k -> k == NodeFrame.BodyCase.CONNECT_RESPONSE || k == NodeFrame.BodyCase.SIGNAL)
                .toList();
        assertEquals(List.of(NodeFrame.BodyCase.CONNECT_RESPONSE, NodeFrame.BodyCase.SIGNAL), fromCallee);
    }

    @Test
    void modeThreeAsksTheCalleeAppOnlyOnceTheAuthenticatedChannelIsUp() throws Exception {
        Daemon[] p = pair(Privacy.LOCAL_AUTHENTICATED, false);
        ServerSocket bobChat = serverSocket();
        TestApp control = listen(p[1], "chat", bobChat.getLocalPort());
        TestApp caller = app(p[0]);

        caller.send(connect(p[1].user(), "phone", "chat", NodeWire.ChannelType.DATA, 1));
        AppWire.IncomingConnectionRequest in = control.read().getIncomingRequest();
        assertTrue(transport.created.stream().allMatch(s -> s.channel().isDone() && !s.channel().isCompletedExceptionally()),
                "both channel ends were up before the callee app heard of the request");
        NodeWire.ConnectResponse answer = nextResponse();
        assertEquals(Status.ACCEPTED, answer.getStatus());
        assertTrue(answer.getDeferredDecision());
        assertFalse(answer.getAnswerSignature().isEmpty());
        assertEquals("Alice", in.getCallerPetname());
        assertNull(caller.poll(200), "the caller app is told nothing before the callee app decided");

        control.send(decision(in, true));
        AppWire.OutgoingConnectionRequestResult result = caller.read().getOutgoingResult();
        assertEquals(Status.ACCEPTED, result.getStatus(), result.getMessage());
        Socket callee = bobChat.accept();
        callee.setSoTimeout(10_000);
        closeLater.add(callee);
        assertEquals(in.getConnectionId(), control.read().getConnectionOpened().getConnectionId());

        caller.socket.getOutputStream().write("hello bob".getBytes(StandardCharsets.UTF_8));
        caller.socket.shutdownOutput();
        assertEquals("hello bob", new String(TestApp.readAll(callee.getInputStream()), StandardCharsets.UTF_8),
                "the decision byte is not part of the piped data");
        callee.getOutputStream().write("hi".getBytes(StandardCharsets.UTF_8));
        callee.close();
        assertEquals("hi", new String(TestApp.readAll(caller.socket.getInputStream()), StandardCharsets.UTF_8));
    }

    @Test
    void modeThreeRejectionReachesTheCallerOverTheChannel() throws Exception {
        Daemon[] p = pair(Privacy.LOCAL_AUTHENTICATED, false);
        TestApp control = listen(p[1], "chat", serverSocket().getLocalPort());
        TestApp caller = app(p[0]);
        caller.send(connect(p[1].user(), "phone", "chat", NodeWire.ChannelType.DATA, 1));
        control.send(decision(control.read().getIncomingRequest(), false));
        AppWire.OutgoingConnectionRequestResult r = caller.read().getOutgoingResult();
        assertEquals(Status.REJECTED, r.getStatus());
        // the node saw only that the request was accepted for channel setup, not the application's no
        assertEquals(Status.ACCEPTED, nextResponse().getStatus());
    }

    @Test
    void modeThreeStreamDecisionIsAcknowledgedAndDatagramsFlow() throws Exception {
        Daemon[] p = pair(Privacy.LOCAL_AUTHENTICATED, false);
        ServerSocket media = serverSocket();
        TestApp control = listen(p[1], "camera", media.getLocalPort());
        TestApp caller = app(p[0]);
        caller.send(connect(p[1].user(), "phone", "camera", NodeWire.ChannelType.STREAM, 1));
        control.send(decision(control.read().getIncomingRequest(), true));
        assertEquals(Status.ACCEPTED, caller.read().getOutgoingResult().getStatus());
        Socket callee = media.accept();
        callee.setSoTimeout(10_000);
        closeLater.add(callee);
        DataOutputStream out = new DataOutputStream(caller.socket.getOutputStream());
        out.writeShort(3);
        out.write(new byte[] {1, 2, 3});
        out.flush();
        DataInputStream in = new DataInputStream(callee.getInputStream());
        assertEquals(3, in.readUnsignedShort(), "only the application's datagram, no decision token");
        in.readFully(new byte[3]);
        DataOutputStream back = new DataOutputStream(callee.getOutputStream());
        back.writeShort(2);
        back.write(new byte[] {7, 8});
        back.flush();
        DataInputStream aliceIn = new DataInputStream(caller.socket.getInputStream());
        assertEquals(2, aliceIn.readUnsignedShort());
    }

    // ---------------------------------------------------------------- a malicious node

    /** @param callerChecks whether the tampered part is the callee's answer, checked by the caller's daemon */
    private void assertUnauthenticatedAndCalleeAppNeverTold(UnaryOperator<NodeFrame> tamper, Privacy privacy,
            boolean mutualAuth, boolean callerChecks) throws Exception {
        Daemon[] p = pair(privacy, mutualAuth);
        TestApp control = listen(p[1], "chat", serverSocket().getLocalPort());
        TestApp caller = app(p[0]);
        node.tamper = tamper;
        caller.send(connect(p[1].user(), "phone", "chat", NodeWire.ChannelType.DATA, 1));
        AppWire.OutgoingConnectionRequestResult r = caller.read().getOutgoingResult();
        if (callerChecks) {
            // the caller's own check of the callee's answer: its application is told why
            assertEquals(Status.UNAUTHENTICATED, r.getStatus(), r.getMessage());
        } else {
            assertRefusedForFailedAuthentication(privacy, r.getStatus(), r.getMessage());
        }
        assertNull(control.poll(500), "the callee application is never notified");
    }

    /**
     * A failed authentication of the caller's offer: in upload mode the caller is told so; in the local modes it gets
     * the one refusal every "no" gets there ({@link RefusalsTest}), so a node cannot tell a friend from a stranger.
     */
    private static void assertRefusedForFailedAuthentication(Privacy privacy, Status status, String message) {
        if (privacy == Privacy.UPLOAD) {
            assertEquals(Status.UNAUTHENTICATED, status, message);
            assertTrue(message.contains("authentication"), message);
        } else {
            assertEquals(Status.REFUSED, status, message);
            assertEquals(Daemon.DECLINED, message);
        }
    }

    private static UnaryOperator<NodeFrame> onRequest(UnaryOperator<NodeWire.ConnectRequest.Builder> change) {
        return f -> f.hasConnectRequest()
                ? NodeFrame.newBuilder().setConnectRequest(change.apply(f.getConnectRequest().toBuilder())).build() : f;
    }

    private static UnaryOperator<NodeFrame> onResult(UnaryOperator<NodeWire.ConnectResult.Builder> change) {
        return f -> f.hasConnectResult()
                ? NodeFrame.newBuilder().setConnectResult(change.apply(f.getConnectResult().toBuilder())).build() : f;
    }

    private static ByteString flipLast(ByteString b) {
        byte[] x = b.toByteArray();
        x[x.length - 1] ^= 1;
        return ByteString.copyFrom(x);
    }

    @Test
    void nodeRewritingTheCallerToAFriendIsRefused() throws Exception {
        UserId carol = TestCredentials.newCredential().user();
        // bob also lists carol; the node claims carol calls while it is alice
        Daemon[] p = pair(Privacy.LOCAL_AUTHENTICATED, false);
        friends(p[1], "bob", p[0].user() + " Alice\n" + carol + " Carol\n");
        TestApp control = listen(p[1], "chat", serverSocket().getLocalPort());
        TestApp caller = app(p[0]);
        node.tamper = onRequest(b -> b.setCallerUser(carol.toString()));
        caller.send(connect(p[1].user(), "phone", "chat", NodeWire.ChannelType.DATA, 1));
        AppWire.OutgoingConnectionRequestResult r = caller.read().getOutgoingResult();
        assertRefusedForFailedAuthentication(Privacy.LOCAL_AUTHENTICATED, r.getStatus(), r.getMessage());
        assertNull(control.poll(500), "the callee application is never notified");
        assertThePreparedSessionNeverSawTheOffer();
    }

    @Test
    void nodeSwappingTheOfferFingerprintIsRefused() throws Exception {
        assertUnauthenticatedAndCalleeAppNeverTold(onRequest(b -> b.setOffer(flipLast(b.getOffer()))),
                Privacy.LOCAL_AUTHENTICATED, false, false);
        assertThePreparedSessionNeverSawTheOffer();
    }

    // ---------------------------------------------------------------- trickled signals

    private static UnaryOperator<NodeFrame> onSignal(UnaryOperator<NodeWire.Signal.Builder> change) {
        return f -> f.hasSignal() ? NodeFrame.newBuilder().setSignal(change.apply(f.getSignal().toBuilder())).build() : f;
    }

    private List<FakeTransport.Session> sessions(Role role) {
        return transport.created.stream().filter(s -> s.options.role() == role).toList();
    }

    /**
     * Mode 3, the node relays both ends' trickled signal after {@code tamper}: none reaches a session, so no channel
     * opens (the in-memory transport needs each end's signal) and the callee application is never asked.
     */
    private void assertTamperedSignalsAreDropped(UnaryOperator<NodeFrame> tamper) throws Exception {
        Daemon[] p = pair(Privacy.LOCAL_AUTHENTICATED, false);
        TestApp control = listen(p[1], "chat", serverSocket().getLocalPort());
        TestApp caller = app(p[0]);
        node.tamper = tamper;
        node.received.clear();
        caller.send(connect(p[1].user(), "phone", "chat", NodeWire.ChannelType.DATA, 1));
        await(() -> node.received.stream().filter(r -> r.frame().hasSignal()).count() == 2, "both ends signalled");
        assertNull(control.poll(700), "the callee application is never notified");
        assertEquals(1, sessions(Role.CONTROLLING).size());
        assertEquals(1, sessions(Role.CONTROLLED).size());
        for (FakeTransport.Session s : transport.created) {
            assertEquals(0, s.signalsReceived.get(), "a tampered signal reached the " + s.options.role() + " session");
            assertFalse(s.channel().isDone() && !s.channel().isCompletedExceptionally(), "no channel");
        }
    }

    @Test
    void nodeAlteringATrickledCandidateIsIgnored() throws Exception {
        assertTamperedSignalsAreDropped(onSignal(b -> b.setPayload(flipLast(b.getPayload()))));
    }

    @Test
    void nodeStrippingTheSignalSignatureIsIgnored() throws Exception {
        assertTamperedSignalsAreDropped(onSignal(NodeWire.Signal.Builder::clearSignature));
    }

    @Test
    void nodeRenumberingASignalIsIgnored() throws Exception {
        assertTamperedSignalsAreDropped(onSignal(b -> b.setSequence(b.getSequence() + 1)));
    }

    @Test
    void nodeReplayingASignalFromAnotherConnectionIsIgnored() throws Exception {
        // the first connect's signals, recorded as relayed, are replayed into the second connect
        List<NodeWire.Signal> first = new java.util.concurrent.CopyOnWriteArrayList<>();
        node.tamper = f -> {
            if (f.hasSignal()) {
                first.add(f.getSignal());
            }
            return f;
        };
        Accepted a = connectAccepted(Privacy.LOCAL_AUTHENTICATED, false);
        Daemon[] p = a.daemons();
        TestApp control = a.control();
        assertTrue(control.read().hasConnectionOpened());
        assertEquals(2, first.size());
        java.util.concurrent.atomic.AtomicInteger replayed = new java.util.concurrent.atomic.AtomicInteger();
        node.tamper = f -> f.hasSignal() ? NodeFrame.newBuilder().setSignal(first.get(replayed.getAndIncrement() % 2)
                .toBuilder().setConnectionId(f.getSignal().getConnectionId())).build() : f;
        int before = transport.created.size();
        TestApp caller2 = app(p[0]);
        caller2.send(connect(p[1].user(), "phone", "chat", NodeWire.ChannelType.DATA, 2));
        await(() -> transport.created.size() == before + 2, "both sessions of the second connect");
        assertNull(control.poll(700), "the callee application is not asked about the second connect");
        for (FakeTransport.Session s : transport.created.subList(before, before + 2)) {
            assertEquals(0, s.signalsReceived.get(), "a replayed signal reached the " + s.options.role() + " session");
        }
    }

    @Test
    void nodeRepeatingASignalDeliversItOnce() throws Exception {
        node.signalCopies = 3;
        connectAccepted(Privacy.LOCAL_AUTHENTICATED, false);
        Thread.sleep(300); // every copy of every signal has arrived
        for (FakeTransport.Session s : transport.created) {
            assertEquals(1, s.signalsReceived.get(), "the " + s.options.role() + " session got a repeated signal");
        }
    }

    @Test
    void withoutAuthenticationSignalsAreTakenAsTheyCome() throws Exception {
        // the control case of the tests above: mode 1 without mutual authentication does not check signals
        node.tamper = onSignal(NodeWire.Signal.Builder::clearSignature);
        node.signalCopies = 2;
        connectAccepted(Privacy.UPLOAD, false);
        Thread.sleep(300);
        for (FakeTransport.Session s : transport.created) {
            assertEquals(2, s.signalsReceived.get());
        }
    }

    @Test
    void nodeSwappingTheAnswerFingerprintIsRefusedByTheCaller() throws Exception {
        assertUnauthenticatedAndCalleeAppNeverTold(onResult(b -> b.setAnswer(flipLast(b.getAnswer()))),
                Privacy.LOCAL_AUTHENTICATED, false, true);
    }

    @Test
    void nodeClearingTheDeferredFlagIsRefusedByTheCaller() throws Exception {
        assertUnauthenticatedAndCalleeAppNeverTold(onResult(b -> b.setDeferredDecision(false)),
                Privacy.LOCAL_AUTHENTICATED, false, true);
    }

    @Test
    void nodeStrippingSignaturesIsRefusedInModeOneWithMutualAuth() throws Exception {
        assertUnauthenticatedAndCalleeAppNeverTold(onRequest(b -> b.clearOfferSignature().clearCallerPublicKey()),
                Privacy.UPLOAD, true, false);
    }

    @Test
    void nodeReplayingAnOldRequestIsRefused() throws Exception {
        Accepted a = connectAccepted(Privacy.LOCAL, true);
        Daemon[] p = a.daemons();
        TestApp control = a.control();
        assertEquals(Status.ACCEPTED, nextResponse().getStatus());
        assertTrue(control.read().hasConnectionOpened());
        NodeFrame recorded = node.routedRequests.get(0);

        node.sendTo(p[1].user(), "phone", recorded);
        NodeWire.ConnectResponse replay = nextResponse();
        assertRefusedForFailedAuthentication(Privacy.LOCAL, replay.getStatus(), replay.getMessage());
        assertNull(control.poll(300), "the replay never reaches the application");
    }

    @Test
    void withoutMutualAuthModesOneAndTwoTrustTheNode() throws Exception {
        Daemon[] p = pair(Privacy.LOCAL, false);
        TestApp control = listen(p[1], "chat", serverSocket().getLocalPort());
        TestApp caller = app(p[0]);
        node.tamper = onRequest(b -> b.clearOfferSignature());
        caller.send(connect(p[1].user(), "phone", "chat", NodeWire.ChannelType.DATA, 1));
        AppWire.IncomingConnectionRequest in = control.read().getIncomingRequest();
        control.send(decision(in, true));
        assertEquals(Status.ACCEPTED, caller.read().getOutgoingResult().getStatus());
        NodeWire.ConnectResponse answer = nextResponse();
        assertFalse(answer.getDeferredDecision(), "the app decided before the channel");
        assertFalse(answer.getAnswerSignature().isEmpty(), "answers are signed anyway, for callers that require it");
    }

    @Test
    void aFriendMarkedAuthIsAuthenticatedInModeTwo() throws Exception {
        Daemon[] p = pair(Privacy.LOCAL, false);
        friends(p[1], "bob", p[0].user() + " +auth Alice\n");
        TestApp control = listen(p[1], "chat", serverSocket().getLocalPort());
        TestApp caller = app(p[0]);
        node.tamper = onRequest(b -> b.clearOfferSignature());
        caller.send(connect(p[1].user(), "phone", "chat", NodeWire.ChannelType.DATA, 1));
        AppWire.OutgoingConnectionRequestResult unsigned = caller.read().getOutgoingResult();
        assertRefusedForFailedAuthentication(Privacy.LOCAL, unsigned.getStatus(), unsigned.getMessage());
        assertNull(control.poll(300));
        node.tamper = UnaryOperator.identity();
        caller.send(connect(p[1].user(), "phone", "chat", NodeWire.ChannelType.DATA, 2));
        AppWire.IncomingConnectionRequest in = control.read().getIncomingRequest();
        assertEquals("Alice", in.getCallerPetname());
        assertEquals(Status.REFUSED, nextResponse().getStatus(), "the first, unsigned attempt: a plain refusal in mode 2");
        assertTrue(nextResponse().getDeferredDecision(), "asked only after the authenticated channel is up");
    }

    @Test
    void callerWithoutAVerifierFailsClosed() throws Exception {
        Daemon bob = daemon("bob", "phone", Privacy.LOCAL, false);
        Files.createDirectories(dir.resolve("alice"));
        Daemon alice = new Daemon(settings("alice", "laptop", Privacy.LOCAL, true), store, transport);
        alice.start();
        closeLater.add(alice);
        friends(bob, "bob", alice.user() + " Alice\n");
        await(() -> alice.nodeConnected() && bob.nodeConnected(), "logins");
        TestApp control = listen(bob, "chat", serverSocket().getLocalPort());
        TestApp caller = app(alice);
        caller.send(connect(bob.user(), "phone", "chat", NodeWire.ChannelType.DATA, 1));
        control.send(decision(control.read().getIncomingRequest(), true));
        AppWire.OutgoingConnectionRequestResult r = caller.read().getOutgoingResult();
        assertEquals(Status.UNAUTHENTICATED, r.getStatus());
        assertTrue(r.getMessage().contains("no verifier"), r.getMessage());
    }

    // ---------------------------------------------------------------- non-friends and the friends list

    private void assertRefusedWithoutData(Privacy privacy, boolean calleeHears) throws Exception {
        Daemon alice = daemon("alice", "laptop", privacy, false);
        Daemon bob = daemon("bob", "phone", privacy, false);
        friends(alice, "alice", bob.user() + " Bob\n");
        await(() -> alice.nodeConnected() && bob.nodeConnected(), "logins");
        if (privacy == Privacy.UPLOAD) {
            await(() -> node.uploadedFriends(bob.user(), "phone") != null, "bob's (empty) upload");
        }
        TestApp control = listen(bob, "chat", serverSocket().getLocalPort());
        TestApp caller = app(alice);
        caller.send(connect(bob.user(), "phone", "chat", NodeWire.ChannelType.DATA, 1));
        AppWire.OutgoingConnectionRequestResult r = caller.read().getOutgoingResult();
        // refused by the node in mode 1 (which answers a stranger as if bob were offline), by bob's daemon otherwise
        assertEquals(calleeHears ? Status.REFUSED : Status.UNKNOWN_USER, r.getStatus(), r.getMessage());
        assertNull(control.poll(300), "bob's application never hears of it");
        assertEquals(0, calleeSessions(), "no channel, no data");
        TestNode.Received response = node.next(NodeFrame.BodyCase.CONNECT_RESPONSE, calleeHears ? 5_000 : 300);
        if (calleeHears) {
            assertNotNull(response, "refused by bob's daemon");
            assertEquals(Status.REFUSED, response.frame().getConnectResponse().getStatus());
        } else {
            assertNull(response, "refused by the node: bob's daemon never heard of it");
        }
    }

    /** In mode local the node sees one and the same refusal for a stranger, an application's no and a missing app. */
    @Test
    void inModeTwoTheNodeCannotTellAStrangerFromAnApplicationsNo() throws Exception {
        Daemon[] p = pair(Privacy.LOCAL, false);
        Daemon carol = daemon("carol", "desk", Privacy.LOCAL, false);
        friends(carol, "carol", p[1].user() + " Bob\n");
        await(carol::nodeConnected, "carol's login");
        TestApp control = listen(p[1], "chat", serverSocket().getLocalPort());
        List<NodeWire.ConnectResponse> seenByNode = new ArrayList<>();

        TestApp stranger = app(carol);
        stranger.send(connect(p[1].user(), "phone", "chat", NodeWire.ChannelType.DATA, 1));
        assertEquals(Status.REFUSED, stranger.read().getOutgoingResult().getStatus());
        seenByNode.add(nextResponse());

        TestApp friend = app(p[0]);
        friend.send(connect(p[1].user(), "phone", "chat", NodeWire.ChannelType.DATA, 2));
        control.send(decision(control.read().getIncomingRequest(), false));
        assertEquals(Status.REFUSED, friend.read().getOutgoingResult().getStatus(), "the application's no");
        seenByNode.add(nextResponse());

        friend.send(connect(p[1].user(), "phone", "nosuchapp", NodeWire.ChannelType.DATA, 3));
        assertEquals(Status.REFUSED, friend.read().getOutgoingResult().getStatus(), "no such application");
        seenByNode.add(nextResponse());

        for (NodeWire.ConnectResponse r : seenByNode) {
            assertEquals(Status.REFUSED, r.getStatus());
            assertEquals(Daemon.DECLINED, r.getMessage());
            assertTrue(r.getAnswer().isEmpty() && r.getAnswerSignature().isEmpty(), "nothing else to tell them apart");
        }
        assertEquals(0, calleeSessions(), "no channel was set up");
    }

    @Test
    void nonFriendIsRefusedByTheNodeInModeOne() throws Exception {
        assertRefusedWithoutData(Privacy.UPLOAD, false);
    }

    @Test
    void nonFriendIsRefusedByTheCalleeDaemonInModeTwo() throws Exception {
        assertRefusedWithoutData(Privacy.LOCAL, true);
    }

    @Test
    void nonFriendIsRefusedByTheCalleeDaemonInModeThreeBeforeAnyAuthentication() throws Exception {
        assertRefusedWithoutData(Privacy.LOCAL_AUTHENTICATED, true);
    }

    @Test
    void friendRemovedWhileConnectedIsRefusedAtOnce() throws Exception {
        Accepted a = connectAccepted(Privacy.LOCAL_AUTHENTICATED, false);
        Daemon[] p = a.daemons();
        TestApp control = a.control();
        Socket piped = a.bobChat().accept();
        closeLater.add(piped);

        // bob removes alice; the watcher polls every second: no explicit re-read here
        Files.writeString(dir.resolve("bob/friends.txt"), "# nobody\n");
        long end = System.currentTimeMillis() + 3_000;
        Status status = null;
        for (int i = 2; System.currentTimeMillis() < end; i++) {
            TestApp again = app(p[0]);
            again.send(connect(p[1].user(), "phone", "chat", NodeWire.ChannelType.DATA, i));
            AppWire.AppFrame asked = control.poll(500);
            while (asked != null && !asked.hasIncomingRequest()) {
                asked = control.poll(500); // ConnectionOpened of the first connection
            }
            if (asked != null) {
                control.send(decision(asked.getIncomingRequest(), false));
            }
            status = again.read().getOutgoingResult().getStatus();
            if (status == Status.REFUSED) {
                break;
            }
        }
        assertEquals(Status.REFUSED, status, "refused within the watcher's 1 s poll");
    }

    @Test
    void friendRemovedInModeOneUpdatesTheNodeWithoutReconnect() throws Exception {
        Daemon[] p = pair(Privacy.UPLOAD, false);
        Files.writeString(dir.resolve("bob/friends.txt"), "# nobody\n");
        p[1].checkFriends();
        await(() -> node.uploadedFriends(p[1].user(), "phone").isEmpty(), "empty list at the node");
        TestApp caller = app(p[0]);
        caller.send(connect(p[1].user(), "phone", "chat", NodeWire.ChannelType.DATA, 1));
        assertEquals(Status.UNKNOWN_USER, caller.read().getOutgoingResult().getStatus(), "Alice is a stranger now");
        assertEquals(2, node.logins.get(), "no reconnect");
    }

    // ---------------------------------------------------------------- switching modes at runtime

    @Test
    void modeSwitchAtRuntimeClearsOrUploadsTheNodesCopy() throws Exception {
        Daemon[] p = pair(Privacy.UPLOAD, false);
        Daemon bob = p[1];
        bob.reconfigure(settings("bob", "phone", Privacy.LOCAL_AUTHENTICATED, false));
        await(() -> node.uploadedFriends(bob.user(), "phone") == null, "the node's copy cleared");
        TestApp control = listen(bob, "chat", serverSocket().getLocalPort());
        TestApp caller = app(p[0]);
        caller.send(connect(bob.user(), "phone", "chat", NodeWire.ChannelType.DATA, 1));
        assertNotNull(control.read().getIncomingRequest());
        assertTrue(nextResponse().getDeferredDecision(), "now in mode 3");

        bob.reconfigure(settings("bob", "phone", Privacy.UPLOAD, false));
        await(() -> node.uploadedFriends(bob.user(), "phone") != null
                && node.uploadedFriends(bob.user(), "phone").contains(p[0].user().toString()), "uploaded again");
        assertEquals(2, node.logins.get(), "no reconnect");
    }
}
