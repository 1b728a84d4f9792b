package org.gcs.daemon.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.gcs.api.wire.NodeWire.NodeFrame;
import org.gcs.api.wire.WireVersions;
import org.junit.jupiter.api.Test;

/** How a friends upload is cut into frames, checked on the frames themselves (no socket). */
class FriendsFramesTest {
    private static final byte[] SIGNATURE = new byte[64];

    /** {@code n} user ids of 60 characters, the longest real ones (pk: + base58 of a key) being about that long. */
    static List<String> friends(int n) {
        List<String> ids = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            ids.add(sixtyCharacterId(i));
        }
        return ids;
    }

    @Test
    void tenThousandFriendsGoInFramesUnderTheLimitInOrderWithTheLastMarked() {
        List<String> friends = friends(10_000);
        assertEquals(60, friends.get(0).length());
        List<NodeFrame> frames = FriendsFrames.login(SIGNATURE, new NodeClient.FriendsUpload(true, friends));

        assertTrue(frames.size() > 1);
        assertTrue(frames.get(0).hasAuthenticate());
        assertTrue(frames.get(0).getAuthenticate().getFriendsFollow());
        assertTrue(frames.get(0).getAuthenticate().getUploadFriends());
        List<String> carried = new ArrayList<>(frames.get(0).getAuthenticate().getFriendsList());
        for (int i = 1; i < frames.size(); i++) {
            assertTrue(frames.get(i).hasFriendsUpdate(), "frame " + i);
            assertTrue(frames.get(i).getFriendsUpdate().getUploadFriends());
            assertEquals(i < frames.size() - 1, frames.get(i).getFriendsUpdate().getFriendsFollow(), "frame " + i);
            assertFalse(frames.get(i).getFriendsUpdate().getFriendsList().isEmpty());
            carried.addAll(frames.get(i).getFriendsUpdate().getFriendsList());
        }
        for (NodeFrame frame : frames) {
            assertTrue(frame.getSerializedSize() <= WireVersions.MAX_FRAME_BYTES, frame.getSerializedSize() + " bytes");
        }
        assertEquals(friends, carried);
    }

    @Test
    void aShortListIsOneAuthenticateAsBefore() {
        List<NodeFrame> frames = FriendsFrames.login(SIGNATURE, new NodeClient.FriendsUpload(true, List.of("pk:alice1")));
        assertEquals(1, frames.size());
        assertFalse(frames.get(0).getAuthenticate().getFriendsFollow());
        assertEquals(List.of("pk:alice1"), frames.get(0).getAuthenticate().getFriendsList());

        List<NodeFrame> none = FriendsFrames.login(SIGNATURE, new NodeClient.FriendsUpload(false, List.of()));
        assertEquals(1, none.size());
        assertFalse(none.get(0).getAuthenticate().getUploadFriends());
    }

    @Test
    void updatesAreChunkedTheSameWayAndClearingIsOneFrame() {
        List<String> friends = friends(10_000);
        List<NodeFrame> frames = FriendsFrames.update(new NodeClient.FriendsUpload(true, friends));
        List<String> carried = new ArrayList<>();
        for (int i = 0; i < frames.size(); i++) {
            assertEquals(i < frames.size() - 1, frames.get(i).getFriendsUpdate().getFriendsFollow());
            assertTrue(frames.get(i).getSerializedSize() <= WireVersions.MAX_FRAME_BYTES);
            carried.addAll(frames.get(i).getFriendsUpdate().getFriendsList());
        }
        assertEquals(friends, carried);

        List<NodeFrame> clear = FriendsFrames.update(new NodeClient.FriendsUpload(false, friends));
        assertEquals(1, clear.size());
        assertFalse(clear.get(0).getFriendsUpdate().getUploadFriends());
        assertFalse(clear.get(0).getFriendsUpdate().getFriendsFollow());
    }

    @Test
    void moreFriendsThanANodeTakesAreRefusedBeforeAnythingIsSent() {
        assertThrows(IllegalArgumentException.class,
                () -> new NodeClient.FriendsUpload(true, friends(WireVersions.MAX_FRIENDS + 1)));
    }

    /** {@code pk:} and {@code i} padded with zeros to 57 digits. */
    static String sixtyCharacterId(int i) {
        String digits = Integer.toString(i);
        return "pk:" + "0".repeat(57 - digits.length()) + digits;
    }
}
