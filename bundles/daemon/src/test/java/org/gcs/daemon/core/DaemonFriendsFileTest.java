package org.gcs.daemon.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.util.concurrent.FastThreadLocalThread;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.gcs.api.wire.AppWire;
import org.gcs.api.wire.AppWire.AppFrame;
import org.gcs.api.wire.WireVersions;
import org.gcs.daemon.testing.TestApp;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/** The daemon and its friends file: where it is read, and what a list too long for any node does. */
class DaemonFriendsFileTest extends DaemonFlowFixture {
    private Daemon start(DaemonSettings.Privacy privacy) throws Exception {
        Files.createDirectories(dir.resolve("alice"));
        Daemon d = new Daemon(settings("alice", "laptop", privacy, false, Duration.ofSeconds(10), Duration.ofSeconds(10)),
                store, transport);
        d.start();
        return d;
    }

    /**
     * A friends file whose read blocks (here a FIFO nobody writes, as on a hung network file system) once stalled one
     * of the daemon's two Netty event loops, and with it every application connection and node session on that loop.
     */
    @Test
    void aFriendsFileThatBlocksOnReadStallsNeitherTheApplicationApiNorTheNodeSession() throws Exception {
        Daemon d = start(DaemonSettings.Privacy.UPLOAD);
        Path fifo = dir.resolve("alice/friends.txt");
        try {
            await(d::nodeConnected, "login");
            Process mkfifo = new ProcessBuilder("mkfifo", fifo.toString()).start();
            Assumptions.assumeTrue(mkfifo.waitFor(10, TimeUnit.SECONDS) && mkfifo.exitValue() == 0, "mkfifo works here");

            await(() -> friendsReader().isPresent(), "the watcher to block reading the FIFO");
            Thread reader = friendsReader().orElseThrow();
            assertFalse(reader instanceof FastThreadLocalThread, "read on a Netty thread: " + reader.getName());

            // the API's connections are spread over both event loops: each must still be served
            for (int i = 0; i < 4; i++) {
                TestApp app = TestApp.of(d);
                closeLater.add(app);
                app.send(AppFrame.newBuilder().setHello(AppWire.AppHello.newBuilder()
                        .setProtocolVersion(WireVersions.APP_PROTOCOL).setCookie(TestApp.cookie(d))).build());
                AppFrame welcome = app.poll(5_000);
                assertNotNull(welcome, "application connection " + i + " was not answered");
                assertEquals(d.user().toString(), welcome.getWelcome().getUserId());
            }
            assertEquals(1, node.logins.get(), "the node session stayed up");
        } finally {
            release(fifo); // first: a daemon that read on its event loop (or under its watcher's lock) could not close
            d.close();
            release(fifo);
        }
    }

    @Test
    void aListLongerThanANodeTakesIsNotUploadedAndTheDaemonStaysLoggedIn() throws Exception {
        StringBuilder text = new StringBuilder();
        for (int i = 0; i <= WireVersions.MAX_FRIENDS; i++) {
            text.append("pk:").append(i).append('\n');
        }
        Files.createDirectories(dir.resolve("alice"));
        Files.writeString(dir.resolve("alice/friends.txt"), text);
        Daemon d = start(DaemonSettings.Privacy.UPLOAD);
        closeLater.add(d);
        assertEquals(WireVersions.MAX_FRIENDS + 1, d.friendsList().size());
        await(d::nodeConnected, "login");
        assertNull(node.uploadedFriends(d.user(), "laptop"), "nothing uploaded: the node admits everybody");
        Thread.sleep(1_000); // a daemon that kept sending an oversize list would have been dropped by now
        assertTrue(d.nodeConnected());
        assertEquals(1, node.logins.get());
    }

    /** The thread blocked in a read of the friends file, if any. */
    private static Optional<Thread> friendsReader() {
        return Thread.getAllStackTraces().entrySet().stream()
                .filter(e -> Arrays.stream(e.getValue()).anyMatch(f -> f.getClassName().startsWith("org.gcs.daemon.friends.")
                        && f.getMethodName().equals("read")))
                .map(java.util.Map.Entry::getKey)
                .findFirst();
    }

    /** Opens the FIFO read-write (which never blocks on Linux) until no reader waits on it any more. */
    private static void release(Path fifo) throws Exception {
        for (int i = 0; i < 50 && friendsReader().isPresent(); i++) {
            if (Files.exists(fifo)) {
                try (RandomAccessFile unblock = new RandomAccessFile(fifo.toFile(), "rw")) {
                    Thread.sleep(50);
                }
            }
            Thread.sleep(50);
        }
    }
}
