package org.gcs.daemon.app;

import com.google.protobuf.CodedOutputStream;
import java.util.List;
import org.gcs.api.wire.AppWire;
import org.gcs.api.wire.WireVersions;

/**
 * The answer to GetFriends: the page of the friends list that starts at the asked offset and fits one frame
 * ({@value #PAGE_BYTES} encoded bytes of friends at most, well under {@link WireVersions#MAX_FRAME_BYTES}), with the
 * list's total and where the next page starts (app.proto, GetFriends).
 */
final class FriendsPages {
    static final int PAGE_BYTES = 48 * 1024;

    private FriendsPages() {
    }

    static AppWire.Friends page(long requestId, List<AppWire.Friend> all, int offset) {
        AppWire.Friends.Builder page = AppWire.Friends.newBuilder().setRequestId(requestId).setTotal(all.size());
        if (offset < 0 || offset >= all.size()) {
            return page.build(); // past the end (or an empty list): no friends, next_offset 0
        }
        int bytes = 0;
        int i = offset;
        for (; i < all.size(); i++) {
            int size = CodedOutputStream.computeMessageSize(AppWire.Friends.FRIENDS_FIELD_NUMBER, all.get(i));
            if (i > offset && bytes + size > PAGE_BYTES) {
                break;
            }
            page.addFriends(all.get(i));
            bytes += size;
        }
        return page.setNextOffset(i < all.size() ? i : 0).build();
    }
}
