package org.gcs.daemon.friends;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.gcs.api.UserId;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The watcher on a real file, with a clock the test moves: what it applies, when, and what it logs. */
class FriendsWatcherTest {
    private static final UserId ALICE = UserId.parse("pk:alice1");
    private static final UserId BOB = UserId.parse("bns:bob.id");

    @TempDir
    Path dir;
    private final AtomicLong clock = new AtomicLong();
    private final List<FriendsList> seen = new CopyOnWriteArrayList<>();

    private FriendsWatcher watcher(Path file) {
        return new FriendsWatcher(file, seen::add, clock::get);
    }

    private void later(Duration d) {
        clock.addAndGet(d.toNanos());
    }

    @Test
    void reloadsOnChangeAndReportsOnlyDifferences() throws Exception {
        Path file = dir.resolve("friends.txt");
        Files.writeString(file, "pk:alice1 Alice\n");
        try (FriendsWatcher w = watcher(file)) {
            assertEquals(1, w.current().size());
            assertEquals(1, seen.size());

            Files.writeString(file, "pk:alice1 Alice\nbns:bob.id Bob\n");
            w.check();
            assertEquals(1, w.current().size(), "not yet: the change has not settled");
            later(FriendsWatcher.SETTLE);
            w.check();
            assertEquals(2, w.current().size());
            assertEquals(2, seen.size());

            // same content, new mtime: nothing to report
            Files.setLastModifiedTime(file, FileTime.fromMillis(System.currentTimeMillis() + 5000));
            w.check();
            later(FriendsWatcher.SETTLE);
            w.check();
            assertEquals(2, seen.size());
        }
    }

    @Test
    void changeWithTheSameSizeAndModificationTimeIsNoticed() throws Exception {
        Path file = dir.resolve("friends.txt");
        Files.writeString(file, "pk:alice1 Friend\n");
        try (FriendsWatcher w = watcher(file)) {
            FileTime mtime = Files.getLastModifiedTime(file);
            long size = Files.size(file);
            Files.writeString(file, "pk:carol1 Friend\n");
            Files.setLastModifiedTime(file, mtime);
            assertEquals(size, Files.size(file));

            w.check();
            later(FriendsWatcher.SETTLE);
            w.check();

            assertTrue(w.current().contains(UserId.parse("pk:carol1")), w.current().entries().toString());
            assertFalse(w.current().contains(ALICE));
        }
    }

    @Test
    void truncateThenRewriteNeverYieldsAnEmptyList() throws Exception {
        Path file = dir.resolve("friends.txt");
        Files.writeString(file, "pk:alice1 Alice\nbns:bob.id Bob\n");
        try (FriendsWatcher w = watcher(file)) {
            // an editor truncates the file, and rewrites it a second later; the watcher polls every second meanwhile
            Files.writeString(file, "");
            w.check();
            later(Duration.ofSeconds(1));
            w.check();
            Files.writeString(file, "pk:alice1 Alice\nbns:bob.id Bob\npk:carol1 Carol\n");
            later(Duration.ofSeconds(1));
            w.check();
            later(Duration.ofSeconds(1));
            w.check();

            assertEquals(3, w.current().size());
            assertTrue(seen.stream().allMatch(list -> list.size() > 0), "lists seen: " + seen);
            assertEquals(List.of(2, 3), seen.stream().map(FriendsList::size).toList());
        }
    }

    @Test
    void fileEmptiedOrDeletedOnPurposeCountsOnceItStaysSo() throws Exception {
        Path file = dir.resolve("friends.txt");
        Files.writeString(file, "pk:alice1 Alice\n");
        try (FriendsWatcher w = watcher(file)) {
            Files.writeString(file, "  \n");
            w.check();
            later(FriendsWatcher.EMPTY_SETTLE.minusMillis(1));
            w.check();
            assertTrue(w.current().contains(ALICE), "an empty file has not settled yet");
            later(Duration.ofMillis(1));
            w.check();
            assertEquals(0, w.current().size());

            Files.writeString(file, "pk:alice1 Alice\n");
            w.check();
            later(FriendsWatcher.SETTLE);
            w.check();
            assertTrue(w.current().contains(ALICE));

            Files.delete(file);
            w.check();
            later(FriendsWatcher.SETTLE);
            w.check();
            assertTrue(w.current().contains(ALICE), "a missing file has not settled yet");
            later(FriendsWatcher.EMPTY_SETTLE);
            w.check();
            assertEquals(0, w.current().size());
        }
    }

    @Test
    void contentIsAppliedOnlyOnceTwoReadsAgree() throws Exception {
        Path file = dir.resolve("friends.txt");
        Files.writeString(file, "pk:alice1 Alice\n");
        try (FriendsWatcher w = watcher(file)) {
            // a slow writer: each poll finds more of the file
            Files.writeString(file, "pk:alice1 Alice\nbns:bo");
            w.check();
            later(FriendsWatcher.SETTLE);
            Files.writeString(file, "pk:alice1 Alice\nbns:bob.id Bo");
            w.check();
            assertFalse(w.current().contains(UserId.parse("bns:bo")), "a half-written line never counts");
            assertEquals(1, w.current().size());
            later(FriendsWatcher.SETTLE);
            Files.writeString(file, "pk:alice1 Alice\nbns:bob.id Bob\n");
            w.check();
            later(FriendsWatcher.SETTLE);
            w.check();
            assertEquals("Bob", w.current().petname(BOB));
            assertEquals(2, seen.size(), "only the first and the finished list were reported: " + seen);
        }
    }

    @Test
    void skippedLinesAreLoggedWithFileNameAndLineNumber() throws Exception {
        Path file = dir.resolve("friends.txt");
        Logger log = Logger.getLogger(FriendsWatcher.class.getName());
        List<String> warnings = new CopyOnWriteArrayList<>();
        Handler capture = new Handler() {
            @Override
            public void publish(LogRecord record) {
                warnings.add(record.getLevel() + " " + record.getMessage());
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        log.addHandler(capture);
        try {
            Files.writeString(file, "pk:alice1 Alice\n# a comment\nbns:bob.id +ath Bob\n");
            try (FriendsWatcher w = watcher(file)) {
                assertTrue(w.current().contains(ALICE));
                assertFalse(w.current().contains(BOB));
            }
        } finally {
            log.removeHandler(capture);
        }
        assertTrue(warnings.stream().anyMatch(m -> m.startsWith("WARNING friends file " + file + " line 3: unknown option +ath")),
                warnings.toString());
    }

    @Test
    void textThatIsNotUtf8KeepsThePreviousList() throws Exception {
        Path file = dir.resolve("friends.txt");
        Files.writeString(file, "pk:alice1 Alice\n");
        try (FriendsWatcher w = watcher(file)) {
            Files.write(file, new byte[] {'p', 'k', ':', 'b', (byte) 0xC3, ' ', 'x', '\n'});
            w.check();
            later(FriendsWatcher.EMPTY_SETTLE);
            w.check();
            assertTrue(w.current().contains(ALICE));
            assertEquals(1, w.current().size());
        }
    }

    @Test
    void pollsByItself() throws Exception {
        Path file = dir.resolve("friends.txt");
        ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
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
