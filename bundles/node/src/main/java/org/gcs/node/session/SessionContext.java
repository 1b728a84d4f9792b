package org.gcs.node.session;

import java.time.Duration;
import java.util.Objects;
import org.gcs.api.NodeId;
import org.gcs.api.routing.Router;
import org.gcs.node.ice.IceServerDirectory;
import org.gcs.node.stats.NodeStats;

/**
 * What every daemon connection of one node shares.
 *
 * @param nodeId this node's id, sent in {@code Challenge} and {@code Welcome} and signed in the login transcript
 * @param authProviders the providers that verify logins, by scheme
 * @param router finds users on this or other nodes
 * @param devices the devices logged in here
 * @param connections the connection table
 * @param stats counters
 * @param iceServers what {@code Welcome} advertises to each user
 * @param loginTimeout how long a connection may take from accept to {@code Welcome}
 * @param maxFrameBytes the largest frame either side may send
 */
public record SessionContext(NodeId nodeId, AuthProviders authProviders, Router router, LocalDevices devices,
        ConnectionTable connections, NodeStats stats, IceServerDirectory iceServers, Duration loginTimeout, int maxFrameBytes) {
    public SessionContext {
        Objects.requireNonNull(nodeId, "nodeId");
        Objects.requireNonNull(authProviders, "authProviders");
        Objects.requireNonNull(router, "router");
        Objects.requireNonNull(devices, "devices");
        Objects.requireNonNull(connections, "connections");
        Objects.requireNonNull(stats, "stats");
        Objects.requireNonNull(iceServers, "iceServers");
        Objects.requireNonNull(loginTimeout, "loginTimeout");
    }
}
