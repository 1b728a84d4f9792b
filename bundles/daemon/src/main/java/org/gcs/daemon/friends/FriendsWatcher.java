package org.gcs.daemon.friends;

import java.io.IOException;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Objects;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Keeps the current {@link FriendsList} of one file: reads it at start, then polls its modification time and size
 * every {@code period} and re-reads it when either changes. Listeners hear only of lists that differ from the
 * previous one. Problems (malformed lines, unreadable file) are logged once per read.
 */
public final class FriendsWatcher implements AutoCloseable {
    private static final Logger LOG = System.getLogger(FriendsWatcher.class.getName());

    private final Path file;
    private final Consumer<FriendsList> onChange;
    private volatile FriendsList current = FriendsList.EMPTY;
    private Object stamp = "unread";
    private ScheduledFuture<?> poll;

    public FriendsWatcher(Path file, Consumer<FriendsList> onChange) {
        this.file = Objects.requireNonNull(file, "file");
        this.onChange = Objects.requireNonNull(onChange, "onChange");
        reload();
    }

    /** Starts polling on {@code scheduler}. */
    public synchronized void start(ScheduledExecutorService scheduler, long periodMillis) {
        poll = scheduler.scheduleWithFixedDelay(this::check, periodMillis, periodMillis, TimeUnit.MILLISECONDS);
    }

    public FriendsList current() {
        return current;
    }

    public Path file() {
        return file;
    }

    /** Re-reads the file if its modification time or size changed since the last read. */
    public synchronized void check() {
        try {
            if (!stamp().equals(stamp)) {
                reload();
            }
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "friends file " + file + ": check failed", e);
        }
    }

    private Object stamp() {
        try {
            BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class);
            return a.lastModifiedTime().toMillis() + "/" + a.size();
        } catch (NoSuchFileException e) {
            return "missing";
        } catch (IOException e) {
            return "unreadable: " + e;
        }
    }

    private synchronized void reload() {
        Object before = stamp();
        FriendsList list;
        try {
            list = FriendsList.read(file);
        } catch (IOException e) {
            LOG.log(Level.WARNING, "friends file " + file + " is unreadable, keeping " + current + ": " + e);
            stamp = before;
            return;
        }
        stamp = before;
        for (String problem : list.problems()) {
            LOG.log(Level.WARNING, "friends file " + file + ": skipped " + problem);
        }
        if ("missing".equals(before)) {
            LOG.log(Level.INFO, "friends file " + file + " does not exist: no friends");
        }
        FriendsList previous = current;
        current = list;
        if (!list.equals(previous)) {
            LOG.log(Level.INFO, "friends list loaded from " + file + ": " + list);
            onChange.accept(list);
        }
    }

    @Override
    public synchronized void close() {
        if (poll != null) {
            poll.cancel(false);
            poll = null;
        }
    }
}
