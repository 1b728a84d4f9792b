package org.gcs.api.routing;

import java.util.Objects;
import org.gcs.api.NodeId;

/**
 * One device online: which user and device, the node its daemon is logged in to, and the friends policy it uploaded.
 * This is the soft state a user's handler nodes keep for each of her devices; a user may be online on several devices
 * attached to different nodes at once.
 */
public record Presence(Endpoint device, NodeId node, FriendsPolicy friends) {
    public Presence {
        Objects.requireNonNull(device, "device");
        Objects.requireNonNull(node, "node");
        Objects.requireNonNull(friends, "friends");
    }

    /** The same device and node with another policy (a {@code FriendsUpdate}). */
    public Presence withFriends(FriendsPolicy policy) {
        return new Presence(device, node, policy);
    }
}
