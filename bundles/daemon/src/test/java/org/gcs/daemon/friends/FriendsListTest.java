package org.gcs.daemon.friends;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
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
    void authOptionRequiresMutualAuthenticationPerFriend() {
        FriendsList list = FriendsList.parse("pk:alice1 +auth Alice Smith\nbns:bob.id +authentic Bob\npk:carol1 +auth\n");
        assertTrue(list.requiresAuth(ALICE));
        assertEquals("Alice Smith", list.petname(ALICE));
        assertFalse(list.requiresAuth(BOB), "only the exact word is the option");
        assertEquals("+authentic Bob", list.petname(BOB));
        assertTrue(list.requiresAuth(UserId.parse("pk:carol1")));
        assertEquals("", list.petname(UserId.parse("pk:carol1")));
        assertFalse(list.equals(FriendsList.parse("pk:alice1 Alice Smith\nbns:bob.id +authentic Bob\npk:carol1\n")),
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
        assertTrue(list.problems().get(0).startsWith("line 1:"), list.problems().get(0));
        assertTrue(list.problems().get(4).contains("listed again"));
    }

    @Test
    void missingFileIsEmpty(@TempDir Path dir) throws Exception {
        assertEquals(0, FriendsList.read(dir.resolve("none.txt")).size());
    }

    @Test
    void watcherReloadsOnChangeAndReportsOnlyDifferences(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("friends.txt");
        Files.writeString(file, "pk:alice1 Alice\n");
        List<FriendsList> seen = new CopyOnWriteArrayList<>();
        try (FriendsWatcher w = new FriendsWatcher(file, seen::add)) {
            assertEquals(1, w.current().size());
            assertEquals(1, seen.size());

            Files.writeString(file, "pk:alice1 Alice\nbns:bob.id Bob\n");
            w.check();
            assertEquals(2, w.current().size());
            assertEquals(2, seen.size());

            // same content, new mtime: re-read but nothing to report
            Files.setLastModifiedTime(file, FileTime.fromMillis(System.currentTimeMillis() + 5000));
            w.check();
            assertEquals(2, seen.size());

            Files.delete(file);
            w.check();
            assertEquals(0, w.current().size());
            assertFalse(w.current().contains(ALICE));
        }
    }

    @Test
    void watcherPollsByItself(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("friends.txt");
        List<FriendsList> seen = new CopyOnWriteArrayList<>();
        java.util.concurrent.ScheduledExecutorService timer = java.util.concurrent.Executors.newSingleThreadScheduledExecutor();
        try (FriendsWatcher w = new FriendsWatcher(file, seen::add)) {
            w.start(timer, 50);
            Files.writeString(file, "pk:alice1 Alice\n");
            long end = System.currentTimeMillis() + 5000;
            while (w.current().size() != 1 && System.currentTimeMillis() < end) {
                Thread.sleep(20);
            }
            assertEquals("Alice", w.current().petname(ALICE));
        } finally {
            timer.shutdownNow();
        }
    }
}
