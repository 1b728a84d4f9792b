package org.gcs.node.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Optional;
import org.gcs.api.wire.NodeWire.ErrorCode;
import org.gcs.api.wire.NodeWire.FriendsUpdate;
import org.junit.jupiter.api.Test;

/** The rules of a chunked friends list, without sockets. */
class FriendsChunksTest {
    private static FriendsUpdate chunk(boolean follow, String... friends) {
        return FriendsUpdate.newBuilder().setUploadFriends(true).addAllFriends(List.of(friends)).setFriendsFollow(follow).build();
    }

    @Test
    void aListIsHandedOutOnlyWholeAndInOrder() {
        FriendsChunks chunks = new FriendsChunks();
        assertEquals(Optional.empty(), chunks.add(chunk(true, "pk:a", "pk:b")));
        assertEquals(Optional.empty(), chunks.add(chunk(true, "pk:c")));
        FriendsUpdate whole = chunks.add(chunk(false, "pk:d")).orElseThrow();
        assertEquals(List.of("pk:a", "pk:b", "pk:c", "pk:d"), whole.getFriendsList());
        assertTrue(whole.getUploadFriends());

        assertEquals(List.of("pk:e"), chunks.add(chunk(false, "pk:e")).orElseThrow().getFriendsList(), "the next list starts afresh");
        FriendsUpdate clear = FriendsUpdate.newBuilder().setUploadFriends(false).build();
        assertEquals(clear, chunks.add(clear).orElseThrow());
    }

    @Test
    void aListAboveTheMaximumIsRefusedAndItsOtherChunksDropped() {
        FriendsChunks chunks = new FriendsChunks(3);
        chunks.add(chunk(true, "pk:a", "pk:b"));
        FriendsChunks.Refused refused = assertThrows(FriendsChunks.Refused.class, () -> chunks.add(chunk(true, "pk:c", "pk:d")));
        assertEquals(ErrorCode.OVERSIZE, refused.code());
        assertTrue(refused.getMessage().contains("longer than 3 entries"), refused.getMessage());
        assertEquals(Optional.empty(), chunks.add(chunk(true, "pk:e")));
        assertEquals(Optional.empty(), chunks.add(chunk(false, "pk:f")), "the refused list's last chunk ends it, unapplied");
        assertEquals(List.of("pk:g"), chunks.add(chunk(false, "pk:g")).orElseThrow().getFriendsList());
    }

    @Test
    void malformedChunksAreRefused() {
        FriendsChunks chunks = new FriendsChunks();
        assertEquals(ErrorCode.MALFORMED, assertThrows(FriendsChunks.Refused.class,
                () -> chunks.add(chunk(true))).code(), "an empty chunk announcing more");
        chunks.add(chunk(false));
        chunks.add(chunk(true, "pk:a"));
        assertEquals(ErrorCode.MALFORMED, assertThrows(FriendsChunks.Refused.class,
                () -> chunks.add(FriendsUpdate.newBuilder().setUploadFriends(false).build())).code(),
                "upload_friends false in the middle of a list");
        assertEquals(ErrorCode.MALFORMED, assertThrows(FriendsChunks.Refused.class,
                () -> chunks.add(chunk(false, "pk:" + "x".repeat(FriendsChunks.MAX_ENTRY_CHARS)))).code(),
                "an entry longer than any user id");
        assertEquals(List.of("pk:ok"), chunks.add(chunk(false, "pk:ok")).orElseThrow().getFriendsList());
    }
}
