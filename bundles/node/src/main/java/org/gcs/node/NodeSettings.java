package org.gcs.node;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.gcs.node.ice.IceServerDirectory;
import org.gcs.node.session.NodeLimits;

/**
 * The validated configuration of a node, from {@link GcsNode.Config}.
 *
 * <table>
 * <caption>Properties of PID {@value GcsNode#PID}</caption>
 * <tr><th>property</th><th>default</th><th>meaning</th></tr>
 * <tr><td>host</td><td>127.0.0.1</td><td>address the TLS listener and the STUN socket bind to</td></tr>
 * <tr><td>port</td><td>7000</td><td>TLS port for daemons; 0 picks a free port</td></tr>
 * <tr><td>state.dir</td><td>state</td><td>node key, certificate, node-id, node.properties, stats.properties</td></tr>
 * <tr><td>stun.port</td><td>3478</td><td>UDP STUN port; 0 picks a free port; -1 turns STUN off</td></tr>
 * <tr><td>advertised.host</td><td>(host)</td><td>host daemons are told to use for STUN</td></tr>
 * <tr><td>turn.servers</td><td>(none)</td><td>TURN servers, {@code host:port}, advertised with per-login credentials</td></tr>
 * <tr><td>turn.secret</td><td>(none)</td><td>coturn {@code static-auth-secret}; required with turn.servers</td></tr>
 * <tr><td>turn.ttl.seconds</td><td>43200</td><td>lifetime of issued TURN credentials; logged-in daemons get fresh ones every half lifetime (a relayed channel ends by then)</td></tr>
 * <tr><td>max.frame.bytes</td><td>65536</td><td>largest frame, 1 KiB to 16 MiB</td></tr>
 * <tr><td>login.timeout.seconds</td><td>10</td><td>time from accept to Welcome</td></tr>
 * <tr><td>idle.timeout.seconds</td><td>60</td><td>a connection that sends nothing this long is closed</td></tr>
 * <tr><td>reverify.seconds</td><td>300</td><td>how often every logged-in device's key is asked again whether it still
 * owns its user id (0 = never)</td></tr>
 * <tr><td>limit.*</td><td>see {@link NodeLimits}</td><td>what one user, device, session or address may cost</td></tr>
 * </table>
 */
public record NodeSettings(String host, int port, Path stateDir, int stunPort, String advertisedHost,
        List<IceServerDirectory.HostPort> turnServers, String turnSecret, Duration turnTtl, int maxFrameBytes,
        Duration loginTimeout, Duration idleTimeout, Duration reverify, NodeLimits limits) {
    public static final int STUN_OFF = -1;
    private static final int MIN_FRAME_BYTES = 1024;
    private static final int MAX_FRAME_BYTES = 16 * 1024 * 1024;

    public NodeSettings {
        require(host != null && !host.isBlank(), "host is empty");
        require(port >= 0 && port <= 65535, "port out of range: " + port);
        require(stateDir != null, "state.dir is empty");
        require(stunPort >= STUN_OFF && stunPort <= 65535, "stun.port out of range: " + stunPort);
        advertisedHost = advertisedHost == null || advertisedHost.isBlank() ? host : advertisedHost;
        turnServers = List.copyOf(turnServers);
        turnSecret = turnSecret == null ? "" : turnSecret;
        require(turnServers.isEmpty() || !turnSecret.isEmpty(), "turn.servers need turn.secret");
        require(turnTtl != null && !turnTtl.isNegative() && !turnTtl.isZero(), "turn.ttl.seconds must be positive");
        require(maxFrameBytes >= MIN_FRAME_BYTES && maxFrameBytes <= MAX_FRAME_BYTES,
                "max.frame.bytes must be " + MIN_FRAME_BYTES + ".." + MAX_FRAME_BYTES + ": " + maxFrameBytes);
        require(loginTimeout != null && !loginTimeout.isNegative() && !loginTimeout.isZero(), "login timeout must be positive");
        require(idleTimeout != null && !idleTimeout.isNegative() && !idleTimeout.isZero(), "idle timeout must be positive");
        require(reverify != null && !reverify.isNegative(), "reverify.seconds must be 0 or more");
        require(limits != null, "limits are missing");
    }

    static NodeSettings from(GcsNode.Config config) {
        List<IceServerDirectory.HostPort> turn = new ArrayList<>();
        for (String server : config.turn_servers()) {
            if (!server.isBlank()) {
                turn.add(IceServerDirectory.HostPort.parse(server));
            }
        }
        return new NodeSettings(config.host(), config.port(), Path.of(config.state_dir()), config.stun_port(),
                config.advertised_host(), turn, config.turn_secret(), Duration.ofSeconds(config.turn_ttl_seconds()),
                config.max_frame_bytes(), Duration.ofSeconds(config.login_timeout_seconds()),
                Duration.ofSeconds(config.idle_timeout_seconds()), Duration.ofSeconds(config.reverify_seconds()),
                new NodeLimits(config.limit_connects_burst(), config.limit_connects_per_second(),
                        config.limit_connects_in_flight_per_user(), config.limit_connects_in_flight_per_device(),
                        config.limit_devices_per_user(), config.limit_connections_per_address(),
                        config.limit_frames_burst(), config.limit_frames_per_second(),
                        config.limit_write_buffer_bytes(), Duration.ofSeconds(config.limit_slow_reader_seconds())));
    }

    public boolean stunEnabled() {
        return stunPort != STUN_OFF;
    }

    private static void require(boolean condition, String message) {
        if (!condition) {
            throw new IllegalArgumentException(message);
        }
    }
}
