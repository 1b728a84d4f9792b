package org.gcs.node.ice;

import java.util.ArrayList;
import java.util.List;
import org.gcs.api.UserId;
import org.gcs.api.wire.NodeWire.IceServer;

/**
 * What a node tells each daemon in {@code Welcome}: its own STUN responder (if on) and the configured TURN servers,
 * each with credentials issued for that user at login.
 */
public final class IceServerDirectory {
    private final List<IceServer> stun;
    private final List<HostPort> turnServers;
    private final TurnCredentials credentials;

    /**
     * @param stun STUN servers, advertised as they are
     * @param turnServers TURN servers; empty for none
     * @param credentials issues TURN credentials; may be {@code null} only when {@code turnServers} is empty
     */
    public IceServerDirectory(List<IceServer> stun, List<HostPort> turnServers, TurnCredentials credentials) {
        if (!turnServers.isEmpty() && credentials == null) {
            throw new IllegalArgumentException("TURN servers need a shared secret (turn.secret)");
        }
        this.stun = List.copyOf(stun);
        this.turnServers = List.copyOf(turnServers);
        this.credentials = credentials;
    }

    /** A directory with only these static entries. */
    public static IceServerDirectory of(List<IceServer> stun) {
        return new IceServerDirectory(stun, List.of(), null);
    }

    /** The servers for {@code user}'s session, TURN credentials freshly issued. */
    public List<IceServer> forUser(UserId user) {
        List<IceServer> all = new ArrayList<>(stun);
        if (!turnServers.isEmpty()) {
            TurnCredentials.Credential c = credentials.issue(user);
            for (HostPort turn : turnServers) {
                all.add(IceServer.newBuilder().setKind("turn").setHost(turn.host()).setPort(turn.port())
                        .setUsername(c.username()).setPassword(c.password()).build());
            }
        }
        return all;
    }

    /**
     * How often a logged-in daemon gets fresh TURN credentials: half their lifetime; empty when there are no TURN
     * servers (STUN needs no credentials).
     */
    public java.util.Optional<java.time.Duration> renewEvery() {
        return turnServers.isEmpty() ? java.util.Optional.empty()
                : java.util.Optional.of(java.time.Duration.ofMillis(Math.max(1000, credentials.ttl().toMillis() / 2)));
    }

    /** A server address as configured: {@code host:port}. */
    public record HostPort(String host, int port) {
        public HostPort {
            if (host == null || host.isBlank()) {
                throw new IllegalArgumentException("host is empty");
            }
            if (port < 1 || port > 65535) {
                throw new IllegalArgumentException("port out of range: " + port);
            }
        }

        /** Parses {@code host:port}; an IPv6 host is written in brackets, {@code [::1]:3478}. */
        public static HostPort parse(String text) {
            String t = text == null ? "" : text.trim();
            int colon = t.lastIndexOf(':');
            if (colon <= 0 || colon == t.length() - 1) {
                throw new IllegalArgumentException("expected host:port, got '" + text + "'");
            }
            String host = t.substring(0, colon);
            if (host.startsWith("[") && host.endsWith("]")) {
                host = host.substring(1, host.length() - 1);
            }
            try {
                return new HostPort(host, Integer.parseInt(t.substring(colon + 1)));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("bad port in '" + text + "'");
            }
        }
    }
}
