package org.gcs.daemon.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.gcs.api.wire.AppWire;
import org.gcs.api.wire.AppWire.AppFrame;
import org.gcs.api.wire.WireVersions;
import org.gcs.daemon.friends.FriendsList;
import org.junit.jupiter.api.Test;

/** GetFriends pages, without sockets: every page fits a frame and the pages together are the list. */
class FriendsPagesTest {
    private static List<AppWire.Friend> friends(int n, int petnameLength) {
        List<AppWire.Friend> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            out.add(AppWire.Friend.newBuilder().setUserId("pk:" + "x".repeat(40) + i)
                    .setPetname("\u00e9".repeat(petnameLength)).setAuthenticated(i % 3 == 0).build());
        }
        return out;
    }

    private static List<AppWire.Friend> readAll(List<AppWire.Friend> all, int[] pages) {
        List<AppWire.Friend> got = new ArrayList<>();
        int offset = 0;
        for (int guard = 0; guard < 100_000; guard++) {
            AppWire.Friends page = FriendsPages.page(guard, all, offset);
            int frameBytes = AppFrame.newBuilder().setFriends(page).build().getSerializedSize();
            assertTrue(frameBytes <= WireVersions.MAX_FRAME_BYTES, "page at " + offset + ": " + frameBytes + " bytes");
            assertEquals(all.size(), page.getTotal());
            got.addAll(page.getFriendsList());
            pages[0]++;
            if (page.getNextOffset() == 0) {
                return got;
            }
            assertEquals(offset + page.getFriendsCount(), page.getNextOffset());
            offset = page.getNextOffset();
        }
        throw new AssertionError("the pages never ended");
    }

    @Test
    void hundredThousandFriendsWithTheLongestPetnamesComeInFramesThatFit() {
        List<AppWire.Friend> all = friends(100_000, FriendsList.MAX_PETNAME); // 2 bytes per character in UTF-8
        int[] pages = new int[1];
        assertEquals(all, readAll(all, pages));
        System.out.printf("[friends pages] %d friends with %d-character petnames in %d pages%n", all.size(),
                FriendsList.MAX_PETNAME, pages[0]);
        assertTrue(pages[0] > 100, "pages: " + pages[0]);
    }

    @Test
    void aShortListIsOnePageAndTheEmptyListAnEmptyOne() {
        List<AppWire.Friend> few = friends(3, 5);
        AppWire.Friends page = FriendsPages.page(7, few, 0);
        assertEquals(few, page.getFriendsList());
        assertEquals(0, page.getNextOffset());
        assertEquals(7, page.getRequestId());
        AppWire.Friends none = FriendsPages.page(8, List.of(), 0);
        assertEquals(0, none.getFriendsCount());
        assertEquals(0, none.getTotal());
        assertEquals(0, none.getNextOffset());
    }

    @Test
    void anOffsetPastTheEndOrOutOfRangeGetsNoFriendsAndNoNextPage() {
        List<AppWire.Friend> few = friends(3, 5);
        for (int offset : new int[] {3, 1000, -1, Integer.MIN_VALUE}) { // uint32 above 2^31 arrives negative
            AppWire.Friends page = FriendsPages.page(1, few, offset);
            assertEquals(0, page.getFriendsCount(), "offset " + offset);
            assertEquals(3, page.getTotal());
            assertEquals(0, page.getNextOffset());
        }
        assertEquals(few.subList(2, 3), FriendsPages.page(1, few, 2).getFriendsList());
    }
}
