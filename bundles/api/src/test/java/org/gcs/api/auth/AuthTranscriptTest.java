package org.gcs.api.auth;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.util.Arrays;
import org.gcs.api.DeviceId;
import org.gcs.api.NodeId;
import org.gcs.api.UserId;
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

    private static byte[] filled(int n, int v) {
        byte[] b = new byte[n];
        Arrays.fill(b, (byte) v);
        return b;
    }
}
