package org.gcs.daemon.core;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import org.gcs.api.DeviceId;
import org.gcs.api.routing.NodeAddress;
import org.gcs.daemon.app.ApiSettings;

/**
 * Everything a daemon is configured with, validated; the DS configuration maps onto it one to one.
 *
 * @param bootstrap the nodes to ask for the user's handlers, each pinned to its id (SHA-256 of its TLS public key)
 * @param device this device's name among the user's devices
 * @param scheme the identity scheme ({@code pk}, {@code bns})
 * @param name the user's name for name-based schemes, empty otherwise
 * @param keyFile where the user's key lives (created owner-only if missing)
 * @param friendsFile the friends list, lines {@code <user-id> <petname>}
 * @param privacy where non-friends are filtered, and whether every channel is mutually authenticated
 * @param mutualAuth require end-to-end authentication of every channel in modes {@code upload} and {@code local}
 *     too ({@code local-authenticated} always requires it; a friend's {@code +auth} requires it for her alone)
 * @param api where applications connect (the Unix socket, the TCP endpoint) and the limits before AppHello
 * @param stateDir where {@code user-id}, {@code api.socket}, {@code api.port} and {@code api.cookie} are written
 * @param connectTimeout how long a caller waits for the callee's answer
 * @param decisionTimeout how long a callee application may take to accept or reject
 */
public record DaemonSettings(List<NodeAddress> bootstrap, DeviceId device, String scheme, String name,
        Path keyFile, Path friendsFile, Privacy privacy, boolean mutualAuth, ApiSettings api, Path stateDir,
        Duration connectTimeout, Duration decisionTimeout) {

    /** Where non-friends are filtered (README, "Privacy modes"). */
    public enum Privacy {
        /** 1. The friends list goes to the node at login, which refuses requests from anyone else. */
        UPLOAD("upload"),
        /** 2. The list stays on the device; the daemon refuses requests from non-friends itself. */
        LOCAL("local"),
        /**
         * 3. As {@link #LOCAL}, and both ends authenticate over the P2P channel before either application is told
         * anything: mutual authentication is always on.
         */
        LOCAL_AUTHENTICATED("local-authenticated");

        private final String key;

        Privacy(String key) {
            this.key = key;
        }

        /** The configuration value: {@code upload}, {@code local} or {@code local-authenticated}. */
        public String key() {
            return key;
        }

        public static Privacy parse(String s) {
            String v = s == null ? "" : s.trim().toLowerCase(Locale.ROOT).replace('_', '-');
            for (Privacy p : values()) {
                if (p.key.equals(v)) {
                    return p;
                }
            }
            throw new IllegalArgumentException(
                    "privacy_mode must be \"upload\", \"local\" or \"local-authenticated\": " + s);
        }
    }

    /**
     * Whether a channel with {@code peer} must be authenticated end to end (signed signaling checked, and on the
     * callee side the application asked only once the authenticated channel is up).
     *
     * @param friendRequiresAuth the peer's friends-file entry carries {@code +auth}
     */
    public boolean requiresAuth(boolean friendRequiresAuth) {
        return privacy == Privacy.LOCAL_AUTHENTICATED || mutualAuth || friendRequiresAuth;
    }

    /** Whether {@code next} differs from this only in what a running daemon can change without restarting. */
    public boolean sameRestartingKeys(DaemonSettings next) {
        return bootstrap.equals(next.bootstrap) && device.equals(next.device) && scheme.equals(next.scheme) && name.equals(next.name)
                && keyFile.equals(next.keyFile) && friendsFile.equals(next.friendsFile) && api.equals(next.api)
                && stateDir.equals(next.stateDir);
    }

    public DaemonSettings {
        bootstrap = List.copyOf(Objects.requireNonNull(bootstrap, "bootstrap"));
        if (bootstrap.isEmpty()) {
            throw new IllegalArgumentException("no GCS node configured: set bootstrap.nodes (host:port#node-id, ...)"
                    + " or node.host, node.port and node.id");
        }
        Objects.requireNonNull(device, "device");
        if (scheme == null || scheme.isBlank()) {
            throw new IllegalArgumentException("scheme is required");
        }
        name = name == null ? "" : name.trim();
        Objects.requireNonNull(keyFile, "key_file");
        Objects.requireNonNull(friendsFile, "friends_file");
        Objects.requireNonNull(privacy, "privacy_mode");
        Objects.requireNonNull(api, "api");
        Objects.requireNonNull(stateDir, "state_dir");
        requirePositive("connect_timeout_seconds", connectTimeout);
        requirePositive("decision_timeout_seconds", decisionTimeout);
    }

    /** The file where the user's handler nodes are remembered across restarts. */
    public Path handlersFile() {
        return stateDir.resolve("handlers");
    }

    private static void requirePositive(String what, Duration d) {
        if (d == null || d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(what + " must be positive: " + d);
        }
    }
}
