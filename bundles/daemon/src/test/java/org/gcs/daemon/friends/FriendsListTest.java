package org.gcs.daemon.friends;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.gcs.api.UserId;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FriendsListTest {
    private static final UserId ALICE = UserId.parse("pk:alice1");
    private static final UserId BOB = UserId.parse("bns:bob.id");

    @Test
    void parsesIdsAndPetnamesWithSpaces() {
        FriendsList list = FriendsList.parse("pk:alice1 Alice  Smith \nbns:bob.id\tBob\n");
        assertEquals(2, list.size());
        assertEquals("Alice  Smith", list.petname(ALICE));
        assertEquals("Bob", list.petname(BOB));
        assertEquals(List.of("pk:alice1", "bns:bob.id"), list.ids());
        assertTrue(list.problems().isEmpty());
    }

    @Test
    void anOverlongPetnameIsCutAndReportedButTheFriendStays() {
        String longName = "A".repeat(FriendsList.MAX_PETNAME - 1) + "\uD83D\uDE00" + "B".repeat(5000);
        FriendsList list = FriendsList.parse("pk:alice1 " + longName + "\nbns:bob.id Bob\n");
        assertEquals(2, list.size(), "the friend is kept");
        assertEquals("A".repeat(FriendsList.MAX_PETNAME - 1), list.petname(ALICE), "cut before a split surrogate pair");
        assertEquals(1, list.problems().size());
        assertEquals(1, list.problems().get(0).line());
        assertTrue(list.problems().get(0).message().contains("longer than " + FriendsList.MAX_PETNAME),
                list.problems().toString());
        assertEquals("Bob", list.petname(BOB));
    }

    @Test
    void authOptionRequiresMutualAuthenticationPerFriend() {
        FriendsList list = FriendsList.parse("pk:alice1 +auth Alice Smith\nbns:bob.id Bob\npk:carol1 +auth\n");
        assertTrue(list.requiresAuth(ALICE));
        assertEquals("Alice Smith", list.petname(ALICE));
        assertFalse(list.requiresAuth(BOB));
        assertEquals("Bob", list.petname(BOB));
        assertTrue(list.requiresAuth(UserId.parse("pk:carol1")));
        assertEquals("", list.petname(UserId.parse("pk:carol1")));
        assertFalse(list.equals(FriendsList.parse("pk:alice1 Alice Smith\nbns:bob.id Bob\npk:carol1\n")),
                "dropping +auth is a change the watcher reports");
    }

    @Test
    void skipsCommentsBlankLinesAndAcceptsMissingPetname() {
        FriendsList list = FriendsList.parse("# my friends\n\n   \n  # indented comment\npk:alice1\r\nbns:bob.id Bob # not a comment\r\n");
        assertEquals(2, list.size());
        assertEquals("", list.petname(ALICE));
        assertEquals("Bob # not a comment", list.petname(BOB));
    }

    @Test
    void malformedLinesAreSkippedAndTheRestKept() {
        FriendsList list = FriendsList.parse("nocolon Someone\npk:alice1 Alice\nPK:upper x\npk:bad/char y\n:empty z\nbns:bob.id Bob\npk:alice1 Again\n");
        assertEquals(2, list.size());
        assertTrue(list.contains(ALICE));
        assertTrue(list.contains(BOB));
        assertEquals("Alice", list.petname(ALICE));
        assertEquals(5, list.problems().size(), list.problems().toString());
        assertEquals(List.of(1, 3, 4, 5, 7), list.problems().stream().map(FriendsList.Problem::line).toList());
        assertTrue(list.problems().get(0).toString().startsWith("line 1: user id must be scheme:value"),
                list.problems().get(0).toString());
        assertTrue(list.problems().get(4).message().contains("listed again"));
    }

    @Test
    void mistypedOptionIsAnErrorWithItsLineNumberNotAPetname() {
        FriendsList list = FriendsList.parse("# friends\npk:alice1 +auth Alice\n\nbns:bob.id +ath Bob\npk:carol1 +authentic Carol\n"
                + "pk:dave1 +auth +auth Dave\npk:erin1 + Erin\n");
        assertTrue(list.contains(ALICE));
        assertFalse(list.contains(BOB), "a mistyped +auth never makes a friend without authentication");
        assertFalse(list.contains(UserId.parse("pk:carol1")), "only the exact word is the option");
        assertTrue(list.requiresAuth(UserId.parse("pk:dave1")));
        assertEquals("Dave", list.petname(UserId.parse("pk:dave1")));
        assertFalse(list.contains(UserId.parse("pk:erin1")), "a petname cannot start with +");
        assertEquals(List.of(4, 5, 7), list.problems().stream().map(FriendsList.Problem::line).toList());
        assertTrue(list.problems().get(0).message().contains("unknown option +ath"), list.problems().get(0).message());
        assertTrue(list.problems().get(0).message().contains("line skipped"));
    }

    @Test
    void byteOrderMarkAndWindowsLineEndsDoNotShiftLineNumbers() {
        FriendsList list = FriendsList.parse("\uFEFFpk:alice1 Alice\r\nnot-an-id\r\nbns:bob.id Bob\r\n");
        assertEquals(2, list.size(), list.problems().toString());
        assertEquals(List.of(2), list.problems().stream().map(FriendsList.Problem::line).toList());
    }

    @Test
    void missingFileIsEmpty(@TempDir Path dir) throws Exception {
        assertEquals(0, FriendsList.read(dir.resolve("none.txt")).size());
    }
}
