package org.gcs.api.routing;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.gcs.api.UserId;

/**
 * Who may reach one device, as its daemon told its node: the uploaded friends list of privacy mode 1, which the
 * user's handler enforces. A value carried between nodes with the device's {@link Presence}. With an uploaded list (privacy mode 1) the node admits only
 * the listed users; without one the node admits everybody and leaves the decision to the daemon. A user always
 * reaches her own devices.
 *
 * @param uploaded whether the daemon uploaded a list for the node to enforce
 * @param friends the listed users (empty unless uploaded)
 * @param rejected entries of the uploaded list that were not valid user ids, ignored
 */
public record FriendsPolicy(boolean uploaded, Set<UserId> friends, List<String> rejected) {
    public static final FriendsPolicy OPEN = new FriendsPolicy(false, Set.of(), List.of());

    public FriendsPolicy {
        friends = Set.copyOf(friends);
        rejected = List.copyOf(rejected);
    }

    /** The policy from an {@code Authenticate} or {@code FriendsUpdate}: invalid entries are kept aside, not fatal. */
    public static FriendsPolicy of(boolean upload, List<String> entries) {
        if (!upload) {
            return OPEN;
        }
        Set<UserId> friends = new HashSet<>();
        List<String> rejected = new ArrayList<>();
        for (String entry : entries) {
            try {
                friends.add(UserId.parse(entry));
            } catch (IllegalArgumentException e) {
                rejected.add(entry);
            }
        }
        return new FriendsPolicy(true, friends, rejected);
    }

    /** Whether {@code requester} may reach a device of {@code owner} under this policy. */
    public boolean admits(UserId requester, UserId owner) {
        return !uploaded || requester.equals(owner) || friends.contains(requester);
    }

    @Override
    public String toString() {
        return uploaded ? friends.size() + " friends" + (rejected.isEmpty() ? "" : " (" + rejected.size() + " invalid ignored)")
                : "not uploaded";
    }
}
