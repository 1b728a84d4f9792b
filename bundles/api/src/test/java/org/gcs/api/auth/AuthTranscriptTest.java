package org.gcs.api.auth;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.util.Arrays;
import org.gcs.api.AppId;
import org.gcs.api.DeviceId;
import org.gcs.api.NodeId;
import org.gcs.api.UserId;
import org.gcs.api.transport.ChannelType;
import org.junit.jupiter.api.Test;

class AuthTranscriptTest {
    private final NodeId node = NodeId.of(new byte[32]);
    private final byte[] nonce = {1, 2, 3};
    private final UserId alice = UserId.parse("pk:alice");

    @Test
    void transcriptIsStableAndLengthPrefixed() {
        byte[] t = AuthTranscript.of("c", new byte[] {7}, new byte[0]);
        assertArrayEquals(new byte[] {0, 0, 0, 1, 'c', 0, 0, 0, 1, 7, 0, 0, 0, 0}, t);
    }

    @Test
    void everyFieldChangesTheTranscript() {
        byte[] base = AuthTranscript.nodeLogin(node, nonce, alice, DeviceId.of("laptop"));
        byte[] otherNode = AuthTranscript.nodeLogin(NodeId.of(filled(32, 1)), nonce, alice, DeviceId.of("laptop"));
        byte[] otherNonce = AuthTranscript.nodeLogin(node, new byte[] {1, 2, 4}, alice, DeviceId.of("laptop"));
        byte[] otherDevice = AuthTranscript.nodeLogin(node, nonce, alice, DeviceId.of("phone"));
        byte[] otherUser = AuthTranscript.nodeLogin(node, nonce, UserId.parse("pk:bob"), DeviceId.of("laptop"));
        for (byte[] other : new byte[][] {otherNode, otherNonce, otherDevice, otherUser}) {
            assertFalse(Arrays.equals(base, other));
        }
    }

    @Test
    void fieldBoundariesCannotBeShifted() {
        assertFalse(Arrays.equals(AuthTranscript.of("c", new byte[] {1, 2}, new byte[] {3}),
                AuthTranscript.of("c", new byte[] {1}, new byte[] {2, 3})));
    }

    private static AuthTranscript.Connection connection(byte[] id, String caller, String callerDevice, String callerApp,
            String callee, String calleeDevice, String calleeApp, ChannelType type) {
        return new AuthTranscript.Connection(id, UserId.parse(caller), DeviceId.of(callerDevice), AppId.of(callerApp),
                UserId.parse(callee), DeviceId.of(calleeDevice), AppId.of(calleeApp), type);
    }

    private final AuthTranscript.Connection call = connection(filled(16, 1), "pk:alice", "laptop", "chat", "pk:bob", "phone",
            "chat", ChannelType.DATA);

    @Test
    void offerTranscriptCoversEveryIdTheTimeAndTheOffer() {
        byte[] offer = {9, 9, 9};
        byte[] base = AuthTranscript.connectOffer(call, 1000, offer);
        byte[][] others = {
            AuthTranscript.connectOffer(connection(filled(16, 2), "pk:alice", "laptop", "chat", "pk:bob", "phone", "chat", ChannelType.DATA), 1000, offer),
            AuthTranscript.connectOffer(connection(filled(16, 1), "pk:carol", "laptop", "chat", "pk:bob", "phone", "chat", ChannelType.DATA), 1000, offer),
            AuthTranscript.connectOffer(connection(filled(16, 1), "pk:alice", "desk", "chat", "pk:bob", "phone", "chat", ChannelType.DATA), 1000, offer),
            AuthTranscript.connectOffer(connection(filled(16, 1), "pk:alice", "laptop", "files", "pk:bob", "phone", "chat", ChannelType.DATA), 1000, offer),
            AuthTranscript.connectOffer(connection(filled(16, 1), "pk:alice", "laptop", "chat", "pk:dave", "phone", "chat", ChannelType.DATA), 1000, offer),
            AuthTranscript.connectOffer(connection(filled(16, 1), "pk:alice", "laptop", "chat", "pk:bob", "tablet", "chat", ChannelType.DATA), 1000, offer),
            AuthTranscript.connectOffer(connection(filled(16, 1), "pk:alice", "laptop", "chat", "pk:bob", "phone", "files", ChannelType.DATA), 1000, offer),
            AuthTranscript.connectOffer(connection(filled(16, 1), "pk:alice", "laptop", "chat", "pk:bob", "phone", "chat", ChannelType.STREAM), 1000, offer),
            AuthTranscript.connectOffer(call, 1001, offer),
            AuthTranscript.connectOffer(call, 1000, new byte[] {9, 9, 8}),
        };
        for (byte[] other : others) {
            assertFalse(Arrays.equals(base, other));
        }
    }

    @Test
    void signalIsBoundToItsConnectionDirectionAndPlace() {
        byte[] base = AuthTranscript.signal(filled(16, 1), true, 1, new byte[] {5});
        byte[][] others = {
            AuthTranscript.signal(filled(16, 2), true, 1, new byte[] {5}),
            AuthTranscript.signal(filled(16, 1), false, 1, new byte[] {5}),
            AuthTranscript.signal(filled(16, 1), true, 2, new byte[] {5}),
            AuthTranscript.signal(filled(16, 1), true, 1, new byte[] {6}),
        };
        for (byte[] other : others) {
            assertFalse(Arrays.equals(base, other));
        }
        assertFalse(Arrays.equals(base, AuthTranscript.connectOffer(call, 1, new byte[] {5})), "its own context label");
    }

    @Test
    void answerIsBoundToTheOfferTheDecisionModeAndTheAnswer() {
        byte[] offerHash = AuthTranscript.hash(AuthTranscript.connectOffer(call, 1000, new byte[] {1}));
        byte[] base = AuthTranscript.connectAnswer(call, offerHash, false, new byte[] {2});
        assertFalse(Arrays.equals(base, AuthTranscript.connectAnswer(call,
                AuthTranscript.hash(AuthTranscript.connectOffer(call, 1001, new byte[] {1})), false, new byte[] {2})));
        assertFalse(Arrays.equals(base, AuthTranscript.connectAnswer(call, offerHash, true, new byte[] {2})));
        assertFalse(Arrays.equals(base, AuthTranscript.connectAnswer(call, offerHash, false, new byte[] {3})));
        assertEquals(32, offerHash.length);
    }

    @Test
    void offerAndAnswerTranscriptsNeverCoincide() {
        byte[] offer = AuthTranscript.connectOffer(call, 0, new byte[0]);
        byte[] answer = AuthTranscript.connectAnswer(call, new byte[8], false, new byte[0]);
        assertFalse(Arrays.equals(offer, answer));
        assertFalse(Arrays.equals(offer, AuthTranscript.nodeLogin(node, nonce, alice, DeviceId.of("laptop"))));
    }

    private static byte[] filled(int n, int v) {
        byte[] b = new byte[n];
        Arrays.fill(b, (byte) v);
        return b;
    }
}
