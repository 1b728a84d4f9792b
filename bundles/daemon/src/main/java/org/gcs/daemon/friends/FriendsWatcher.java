package org.gcs.daemon.friends;

import java.io.IOException;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Objects;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * Keeps the current {@link FriendsList} of one file. Reads it at construction, then at every poll reads the whole
 * file and compares its content (SHA-256): every change is noticed, also one that keeps size and modification time.
 * A new content is applied only once it has settled, that is when two reads at least {@link #SETTLE} apart found the
 * same bytes; for a file that is empty (or blank) or missing the reads must be {@link #EMPTY_SETTLE} apart. So a file
 * caught while being written is not applied until the writer is done, and an editor that truncates and rewrites never
 * empties the list (and the node's copy) for a moment, while emptying the file on purpose takes effect a few seconds
 * later. Listeners hear only of lists that differ from the previous one, on the polling thread.
 *
 * <p>Each time a new content is applied, every skipped line is logged with the file name and its line number. A file
 * that cannot be read, is larger than {@value #MAX_FILE_BYTES} bytes or is not UTF-8 text is logged once and the
 * previous list stays.
 *
 * <p>Reads block: poll on a thread of its own, never on an I/O event loop.
 */
public final class FriendsWatcher implements AutoCloseable {
    private static final Logger LOG = System.getLogger(FriendsWatcher.class.getName());
    /** How long a changed content must stay the same before it counts. */
    public static final Duration SETTLE = Duration.ofMillis(200);
    /** The same for an empty or missing file: time for an editor that truncated the file to write it again. */
    public static final Duration EMPTY_SETTLE = Duration.ofSeconds(3);
    /** Far above any real list (100,000 friends with petnames take a few MB). */
    static final long MAX_FILE_BYTES = 64L << 20;
    private static final String MISSING = "missing";

    private final Path file;
    private final Consumer<FriendsList> onChange;
    private final LongSupplier nanoTime;
    private volatile FriendsList current = FriendsList.EMPTY;
    /** The content {@link #current} was read from; null until one was read. */
    private Content applied;
    /** A content other than {@link #applied}, waiting to settle. */
    private Content candidate;
    private long candidateSince;
    private String lastError;
    private volatile ScheduledExecutorService scheduler;
    private volatile ScheduledFuture<?> poll;
    private volatile boolean closed;

    /** What one read found: the digest of the bytes, and the list they hold (null if they are not UTF-8 text). */
    private record Content(String digest, boolean blank, FriendsList list) {
        boolean missing() {
            return MISSING.equals(digest);
        }
    }

    public FriendsWatcher(Path file, Consumer<FriendsList> onChange) {
        this(file, onChange, System::nanoTime);
    }

    /** With the clock that times the settling (tests). */
    FriendsWatcher(Path file, Consumer<FriendsList> onChange, LongSupplier nanoTime) {
        this.file = Objects.requireNonNull(file, "file");
        this.onChange = Objects.requireNonNull(onChange, "onChange");
        this.nanoTime = Objects.requireNonNull(nanoTime, "nanoTime");
        loadFirst();
    }

    /** Starts polling on {@code scheduler} (a thread that may block on the file system). */
    public void start(ScheduledExecutorService scheduler, long periodMillis) {
        this.scheduler = scheduler;
        poll = scheduler.scheduleWithFixedDelay(this::check, periodMillis, periodMillis, TimeUnit.MILLISECONDS);
    }

    public FriendsList current() {
        return current;
    }

    public Path file() {
        return file;
    }

    /** One poll: reads the file; applies its content if it has settled since an earlier poll saw it. Never throws. */
    public void check() {
        try {
            step();
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "friends file " + file + ": check failed", e);
        }
    }

    /**
     * Reads the file now and, if it changed, waits on this thread until the change has settled and applies it (at
     * most about {@link #EMPTY_SETTLE}, longer only while the file keeps changing, at most 20 reads).
     */
    public void checkAndSettle() throws InterruptedException {
        for (int i = 0; i < 20; i++) {
            long wait = step();
            if (wait <= 0) {
                return;
            }
            TimeUnit.NANOSECONDS.sleep(wait);
        }
    }

    private synchronized void loadFirst() {
        Content first;
        try {
            first = read();
        } catch (IOException e) {
            report("cannot be read, no friends until it can: " + e);
            return;
        }
        if (first.list() == null) {
            candidate = first; // logged; applied when the file changes into something readable
            return;
        }
        apply(first);
    }

    /** Returns how long (ns) until a pending change may be applied, 0 if none is pending. */
    private synchronized long step() {
        Content now;
        try {
            now = read();
        } catch (IOException e) {
            report("cannot be read, keeping " + current + ": " + e);
            return 0;
        }
        lastError = null;
        if (applied != null && applied.digest().equals(now.digest())) {
            candidate = null;
            return 0;
        }
        long time = nanoTime.getAsLong();
        if (candidate == null || !candidate.digest().equals(now.digest())) {
            candidate = now;
            candidateSince = time;
            if (now.list() == null) {
                report("is not UTF-8 text, keeping " + current);
                return 0;
            }
            long wait = settle(now).toNanos();
            recheckIn(wait);
            return wait;
        }
        if (candidate.list() == null) {
            return 0;
        }
        long left = candidateSince + settle(candidate).toNanos() - time;
        if (left > 0) {
            return left;
        }
        apply(candidate);
        candidate = null;
        return 0;
    }

    private static Duration settle(Content content) {
        return content.blank() ? EMPTY_SETTLE : SETTLE;
    }

    /** A check as soon as the new content may have settled, not a whole poll period later. */
    private void recheckIn(long nanos) {
        ScheduledExecutorService s = scheduler;
        if (s != null && !closed) {
            try {
                s.schedule(this::check, nanos + TimeUnit.MILLISECONDS.toNanos(10), TimeUnit.NANOSECONDS);
            } catch (java.util.concurrent.RejectedExecutionException e) {
                // shutting down
            }
        }
    }

    private void apply(Content content) {
        applied = content;
        for (FriendsList.Problem problem : content.list().problems()) {
            LOG.log(Level.WARNING, "friends file " + file + " line " + problem.line() + ": " + problem.message());
        }
        if (content.missing()) {
            LOG.log(Level.INFO, "friends file " + file + " does not exist: no friends");
        }
        FriendsList previous = current;
        current = content.list();
        if (!content.list().equals(previous)) {
            LOG.log(Level.INFO, "friends list loaded from " + file + ": " + content.list());
            onChange.accept(content.list());
        }
    }

    private Content read() throws IOException {
        byte[] bytes;
        try {
            long size = Files.size(file);
            if (size > MAX_FILE_BYTES) {
                throw new IOException("larger than " + MAX_FILE_BYTES + " bytes (" + size + ")");
            }
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            return new Content(MISSING, true, FriendsList.EMPTY);
        }
        String digest = HexFormat.of().formatHex(sha256(bytes));
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            return new Content(digest, false, null);
        }
        return new Content(digest, text.isBlank(), FriendsList.parse(text));
    }

    private static byte[] sha256(byte[] bytes) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(bytes);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java has SHA-256", e);
        }
    }

    /** Logs a problem once, not at every poll. */
    private void report(String problem) {
        if (!problem.equals(lastError)) {
            lastError = problem;
            LOG.log(Level.WARNING, "friends file " + file + " " + problem);
        }
    }

    /** Stops polling; does not wait for a read in progress (which may block on the file system). */
    @Override
    public void close() {
        closed = true;
        ScheduledFuture<?> p = poll;
        if (p != null) {
            p.cancel(false);
        }
    }
}
