package org.gcs.node.session;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.gcs.api.wire.NodeWire.ErrorCode;
import org.gcs.api.wire.NodeWire.FriendsUpdate;
import org.gcs.api.wire.WireVersions;

/**
 * Puts together the friends list of one connection from its chunks (docs/PROTOCOL.md, "Long friends lists") and hands
 * it out only whole: a list arrives as {@code FriendsUpdate} chunks, every one but the last with
 * {@code friends_follow}. A list is bounded by {@link WireVersions#MAX_FRIENDS} entries of at most
 * {@value #MAX_ENTRY_CHARS} characters (so one connection holds about 20 MB at worst, some 10 MB for 100,000 real
 * ids), and every chunk but the last must carry entries. After a refused chunk the rest of that list is dropped up to
 * its last chunk. Not thread-safe: one connection's event loop uses it.
 */
final class FriendsChunks {
    /** Longer than any printable user id ({@code scheme:value} is at most 145 characters). */
    static final int MAX_ENTRY_CHARS = 160;

    private final int maxFriends;
    private List<String> pending;
    private boolean discarding;

    FriendsChunks() {
        this(WireVersions.MAX_FRIENDS);
    }

    FriendsChunks(int maxFriends) {
        this.maxFriends = maxFriends;
    }

    /** A chunk the node does not take; the list it belongs to is dropped and the previous one stays. */
    static final class Refused extends RuntimeException {
        private final ErrorCode code;

        Refused(ErrorCode code, String message) {
            super(message);
            this.code = code;
        }

        ErrorCode code() {
            return code;
        }
    }

    /**
     * Adds {@code chunk}; returns the whole list (as one {@code FriendsUpdate} without {@code friends_follow}) when it
     * was the last chunk, empty while more follow or while the rest of a refused list is dropped.
     *
     * @throws Refused when the chunk breaks the rules: the list is then dropped
     */
    Optional<FriendsUpdate> add(FriendsUpdate chunk) {
        boolean last = !chunk.getFriendsFollow();
        if (discarding) {
            discarding = !last;
            return Optional.empty();
        }
        if (!chunk.getUploadFriends()) {
            boolean midList = pending != null;
            pending = null;
            if (!last || midList) {
                discarding = !last;
                throw new Refused(ErrorCode.MALFORMED, "a friends list chunk without upload_friends"
                        + (midList ? " in the middle of a list" : " announces more chunks"));
            }
            return Optional.of(chunk);
        }
        List<String> entries = chunk.getFriendsList();
        if (entries.isEmpty() && !last) {
            refuse(false);
            throw new Refused(ErrorCode.MALFORMED, "an empty friends list chunk announces more chunks");
        }
        for (String entry : entries) {
            if (entry.length() > MAX_ENTRY_CHARS) {
                refuse(last);
                throw new Refused(ErrorCode.MALFORMED, "a friends list entry of " + entry.length()
                        + " characters is no user id");
            }
        }
        int size = (pending == null ? 0 : pending.size()) + entries.size();
        if (size > maxFriends) {
            refuse(last);
            throw new Refused(ErrorCode.OVERSIZE, "friends list longer than " + maxFriends + " entries");
        }
        if (pending == null) {
            pending = new ArrayList<>(entries.size());
        }
        pending.addAll(entries);
        if (!last) {
            return Optional.empty();
        }
        FriendsUpdate whole = FriendsUpdate.newBuilder().setUploadFriends(true).addAllFriends(pending).build();
        pending = null;
        return Optional.of(whole);
    }

    private void refuse(boolean last) {
        pending = null;
        discarding = !last;
    }
}
