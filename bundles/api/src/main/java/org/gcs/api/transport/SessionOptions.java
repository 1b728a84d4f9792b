package org.gcs.api.transport;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * Parameters of one {@link PeerSession}.
 *
 * @param role which end this is
 * @param type what the channel will carry
 * @param iceServers STUN/TURN servers to gather server-reflexive and relayed candidates from (the node advertises them)
 * @param timeout how long the session may take from creation to an open channel before it fails
 */
public record SessionOptions(Role role, ChannelType type, List<IceServer> iceServers, Duration timeout) {
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(15);

    public SessionOptions {
        Objects.requireNonNull(role, "role");
        Objects.requireNonNull(type, "type");
        iceServers = List.copyOf(iceServers);
        timeout = timeout == null ? DEFAULT_TIMEOUT : timeout;
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("timeout must be positive: " + timeout);
        }
    }
}
