package org.gcs.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.gcs.api.DeviceId;
import org.gcs.api.UserId;
import org.gcs.api.auth.AuthTranscript;
import org.gcs.api.auth.UserCredential;
import org.gcs.api.wire.NodeWire.Authenticate;
import org.gcs.api.wire.NodeWire.ChannelType;
import org.gcs.api.wire.NodeWire.Connect;
import org.gcs.api.wire.NodeWire.DevicesAnswer;
import org.gcs.api.wire.NodeWire.DevicesQuery;
import org.gcs.api.wire.NodeWire.Error;
import org.gcs.api.wire.NodeWire.ErrorCode;
import org.gcs.api.wire.NodeWire.FriendsUpdate;
import org.gcs.api.wire.NodeWire.Hello;
import org.gcs.api.wire.NodeWire.NodeFrame;
import org.gcs.api.wire.NodeWire.NodeFrame.BodyCase;
import org.gcs.api.wire.NodeWire.Status;
import org.gcs.api.wire.WireVersions;
import org.gcs.auth.pubkey.PubkeyCredentialStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Friends lists too long for one frame (docs/PROTOCOL.md, "Long friends lists"), sent in chunks by test daemons over
 * real TLS 1.3 to the real node with the central router: accepted at login and by update, applied only whole, bounded.
 */
class ChunkedFriendsListTest {
    private static final int CHUNK = 500;

    @TempDir
    Path tmp;

    private GcsNode node;
    private final List<TestDaemon> daemons = new ArrayList<>();
    private UserCredential alice;
    private UserCredential bob;
    private UserCredential carol;

    @BeforeEach
    void startNode() throws Exception {
        PubkeyCredentialStore store = new PubkeyCredentialStore();
        alice = store.loadOrCreate(tmp.resolve("alice.key"), null);
        bob = store.loadOrCreate(tmp.resolve("bob.key"), null);
        carol = store.loadOrCreate(tmp.resolve("carol.key"), null);
        Path stateDir = tmp.resolve("node");
        node = TestNodes.central(stateDir, Map.of());
    }

    @AfterEach
    void stopNode() throws IOException {
        for (TestDaemon daemon : daemons) {
            daemon.close();
        }
        node.deactivate();
    }

    @Test
    void tenThousandFriendsAtLoginAreAcceptedAndFilterRequests() throws Exception {
        TestDaemon aliceDaemon = daemon();
        NodeFrame answer = loginInChunks(aliceDaemon, alice, "laptop", friendsEndingWith(10_000, bob.user()));
        assertTrue(answer.hasWelcome(), () -> "expected Welcome but got " + answer);
        TestDaemon bobDaemon = daemon();
        bobDaemon.loginOk(bob, "phone", List.of());
        TestDaemon carolDaemon = daemon();
        carolDaemon.loginOk(carol, "desk", List.of());

        assertEquals(Status.OK, query(bobDaemon, 1, alice.user()).getStatus(), "the last friend of the list gets through");
        assertEquals(Status.UNKNOWN_USER, query(carolDaemon, 2, alice.user()).getStatus(), "a stranger is refused");
        ByteString id = TestNodes.connectionId();
        bobDaemon.send(connect(id, alice.user()));
        assertEquals(id, aliceDaemon.expect(BodyCase.CONNECT_REQUEST).getConnectRequest().getConnectionId());
        carolDaemon.send(connect(TestNodes.connectionId(), alice.user()));
        assertEquals(Status.UNKNOWN_USER, carolDaemon.expect(BodyCase.CONNECT_RESULT).getConnectResult().getStatus());
        assertEquals(3L, node.stats().get("logins.ok"));
    }

    @Test
    void tenThousandFriendsByUpdateReplaceTheListOnlyWhenTheLastChunkArrived() throws Exception {
        TestDaemon aliceDaemon = daemon();
        aliceDaemon.loginOk(alice, "laptop", List.of(carol.user().toString()));
        TestDaemon bobDaemon = daemon();
        bobDaemon.loginOk(bob, "phone", List.of());
        TestDaemon carolDaemon = daemon();
        carolDaemon.loginOk(carol, "desk", List.of());
        List<FriendsUpdate> chunks = updateChunks(friendsEndingWith(10_000, bob.user()));
        assertTrue(chunks.size() > 2);

        for (FriendsUpdate chunk : chunks.subList(0, chunks.size() - 1)) {
            aliceDaemon.send(NodeFrame.newBuilder().setFriendsUpdate(chunk).build());
        }
        assertTrue(aliceDaemon.pingBarrier(1).hasPong(), "every chunk but the last processed, nothing answered");
        assertEquals(Status.UNKNOWN_USER, query(bobDaemon, 1, alice.user()).getStatus(), "a half-received list is not applied");
        assertEquals(Status.OK, query(carolDaemon, 2, alice.user()).getStatus(), "the previous list still holds");

        aliceDaemon.send(NodeFrame.newBuilder().setFriendsUpdate(chunks.get(chunks.size() - 1)).build());
        assertTrue(aliceDaemon.pingBarrier(2).hasPong());
        assertEquals(Status.OK, query(bobDaemon, 3, alice.user()).getStatus(), "the last friend of the new list gets through");
        assertEquals(Status.UNKNOWN_USER, query(carolDaemon, 4, alice.user()).getStatus(), "someone not on it is refused");
    }

    @Test
    void anUpdateAboveTheMaximumIsRefusedWithAClearErrorAndThePreviousListStays() throws Exception {
        TestDaemon aliceDaemon = daemon();
        aliceDaemon.loginOk(alice, "laptop", List.of(bob.user().toString()));
        TestDaemon bobDaemon = daemon();
        bobDaemon.loginOk(bob, "phone", List.of());
        TestDaemon carolDaemon = daemon();
        carolDaemon.loginOk(carol, "desk", List.of());

        // the limit is passed two chunks before the end: those are dropped quietly
        for (FriendsUpdate chunk : updateChunks(shortIdsEndingWith(WireVersions.MAX_FRIENDS + 1 + 2 * CHUNK, carol.user()))) {
            aliceDaemon.send(NodeFrame.newBuilder().setFriendsUpdate(chunk).build());
        }
        Error error = aliceDaemon.expect(BodyCase.ERROR).getError();
        assertEquals(ErrorCode.OVERSIZE, error.getCode());
        assertTrue(error.getMessage().contains("longer than " + WireVersions.MAX_FRIENDS), error.getMessage());
        assertTrue(aliceDaemon.pingBarrier(1).hasPong(), "the session stays up, nothing more was answered");
        assertEquals(Status.OK, query(bobDaemon, 1, alice.user()).getStatus(), "the previous list stays");
        assertEquals(Status.UNKNOWN_USER, query(carolDaemon, 2, alice.user()).getStatus(), "nothing of the refused list applies");
    }

    @Test
    void aLoginAboveTheMaximumIsRefusedAndTheNodeKeepsServing() throws Exception {
        TestDaemon aliceDaemon = daemon();
        NodeFrame answer = loginInChunks(aliceDaemon, alice, "laptop", shortIdsEndingWith(WireVersions.MAX_FRIENDS + 1, bob.user()));
        assertEquals(ErrorCode.OVERSIZE, answer.getError().getCode(), () -> "got " + answer);
        aliceDaemon.assertClosedByNode();

        TestDaemon again = daemon();
        assertTrue(loginInChunks(again, alice, "laptop", shortIdsEndingWith(WireVersions.MAX_FRIENDS, bob.user())).hasWelcome(),
                "exactly the maximum is accepted");
        TestDaemon bobDaemon = daemon();
        bobDaemon.loginOk(bob, "phone", List.of());
        assertEquals(Status.OK, query(bobDaemon, 1, alice.user()).getStatus());
    }

    @Test
    void aBadSignatureWithAChunkedListIsRefusedLikeAnyOther() throws Exception {
        TestDaemon aliceDaemon = daemon();
        try {
            NodeFrame answer = loginInChunks(aliceDaemon, alice, carol, "laptop", friendsEndingWith(10_000, bob.user()));
            assertEquals(ErrorCode.AUTH_FAILED, answer.getError().getCode(), () -> "got " + answer);
            aliceDaemon.assertClosedByNode();
        } catch (IOException reset) {
            // the node closed with the unread chunks of an unauthenticated login in its buffer: a reset may overtake the Error
        }
        assertEquals(0L, node.stats().get("logins.ok"));
        assertEquals(1L, node.stats().get("logins.failed"));
        TestDaemon bobDaemon = daemon();
        bobDaemon.loginOk(bob, "phone", List.of());
    }

    // ---------------------------------------------------------------- helpers

    private TestDaemon daemon() throws Exception {
        TestDaemon daemon = TestDaemon.connect(node.tlsPort(), node.nodeId());
        daemons.add(daemon);
        return daemon;
    }

    /** {@code n - 1} made-up user ids of 60 characters, then {@code last}. */
    static List<String> friendsEndingWith(int n, UserId last) {
        List<String> ids = new ArrayList<>(n);
        for (int i = 0; i < n - 1; i++) {
            ids.add(sixtyCharacterId(i));
        }
        ids.add(last.toString());
        return ids;
    }

    /** The same with short ids, to keep lists past the maximum quick to send. */
    private static List<String> shortIdsEndingWith(int n, UserId last) {
        List<String> ids = new ArrayList<>(n);
        for (int i = 0; i < n - 1; i++) {
            ids.add("pk:" + i);
        }
        ids.add(last.toString());
        return ids;
    }

    private static List<FriendsUpdate> updateChunks(List<String> friends) {
        List<FriendsUpdate> chunks = new ArrayList<>();
        for (int from = 0; from < friends.size(); from += CHUNK) {
            int to = Math.min(friends.size(), from + CHUNK);
            chunks.add(FriendsUpdate.newBuilder().setUploadFriends(true).addAllFriends(friends.subList(from, to))
                    .setFriendsFollow(to < friends.size()).build());
        }
        return chunks;
    }

    private NodeFrame loginInChunks(TestDaemon daemon, UserCredential who, String device, List<String> friends)
            throws IOException {
        return loginInChunks(daemon, who, who, device, friends);
    }

    /**
     * Hello, Challenge, then what a daemon sends for a long list: Authenticate with the first chunk and
     * {@code friends_follow}, at once followed by the other chunks. Returns the node's answer (Welcome or Error).
     */
    private NodeFrame loginInChunks(TestDaemon daemon, UserCredential who, UserCredential signer, String device,
            List<String> friends) throws IOException {
        daemon.send(NodeFrame.newBuilder().setHello(Hello.newBuilder()
                .setProtocolVersion(WireVersions.NODE_PROTOCOL)
                .setUserId(who.user().toString())
                .setDeviceId(device)
                .setPublicKey(ByteString.copyFrom(who.publicKey()))).build());
        byte[] nonce = daemon.expect(BodyCase.CHALLENGE).getChallenge().getNonce().toByteArray();
        byte[] transcript = AuthTranscript.nodeLogin(node.nodeId(), nonce, who.user(), DeviceId.of(device));
        List<FriendsUpdate> chunks = updateChunks(friends);
        daemon.send(NodeFrame.newBuilder().setAuthenticate(Authenticate.newBuilder()
                .setSignature(ByteString.copyFrom(signer.sign(transcript)))
                .setUploadFriends(true)
                .addAllFriends(chunks.get(0).getFriendsList())
                .setFriendsFollow(chunks.size() > 1)).build());
        try {
            for (FriendsUpdate chunk : chunks.subList(1, chunks.size())) {
                daemon.send(NodeFrame.newBuilder().setFriendsUpdate(chunk).build());
            }
        } catch (IOException closedMeanwhile) {
            // the node refused the login part way through; its answer is waiting to be read
        }
        return daemon.receive();
    }

    private static DevicesAnswer query(TestDaemon daemon, long requestId, UserId user) throws IOException {
        daemon.send(NodeFrame.newBuilder().setDevicesQuery(DevicesQuery.newBuilder()
                .setRequestId(requestId).setUserId(user.toString())).build());
        DevicesAnswer answer = daemon.expect(BodyCase.DEVICES_ANSWER).getDevicesAnswer();
        assertEquals(requestId, answer.getRequestId());
        return answer;
    }

    private static NodeFrame connect(ByteString id, UserId callee) {
        return NodeFrame.newBuilder().setConnect(Connect.newBuilder()
                .setConnectionId(id).setCalleeUser(callee.toString()).setCalleeDevice("laptop")
                .setCalleeApp("chat-server").setCallerApp("chat").setType(ChannelType.DATA)
                .setOffer(ByteString.copyFromUtf8("offer"))).build();
    }


    /** {@code pk:} and {@code i} padded with zeros to 57 digits. */
    static String sixtyCharacterId(int i) {
        String digits = Integer.toString(i);
        return "pk:" + "0".repeat(57 - digits.length()) + digits;
    }
}
