package org.gcs.api.routing;

import java.util.Objects;
import org.gcs.api.NodeId;

/**
 * Where daemons log in to a GCS node: its id (which a daemon pins: the node's TLS key must hash to it) and its
 * daemon-facing TLS host and port.
 */
public record NodeAddress(NodeId id, String host, int port) {
    public NodeAddress {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(host, "host");
        if (host.isBlank()) {
            throw new IllegalArgumentException("node host is empty");
        }
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("node port out of range: " + port);
        }
    }

    /**
     * Parses the printable form {@code host:port#id} written by {@link #toString()} ({@code [v6 address]:port#id} for
     * an IPv6 literal), as the daemon's {@code bootstrap.nodes} lists nodes.
     */
    public static NodeAddress parse(String text) {
        if (text == null) {
            throw new IllegalArgumentException("node address is missing");
        }
        String t = text.trim();
        int hash = t.lastIndexOf('#');
        int colon = hash < 0 ? -1 : t.lastIndexOf(':', hash);
        if (hash < 0 || colon < 0) {
            throw new IllegalArgumentException("node address must be host:port#node-id: " + text);
        }
        String host = t.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        int port;
        try {
            port = Integer.parseInt(t.substring(colon + 1, hash));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("node address has a bad port: " + text);
        }
        return new NodeAddress(NodeId.fromHex(t.substring(hash + 1).toLowerCase(java.util.Locale.ROOT)), host, port);
    }

    @Override
    public String toString() {
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port + "#" + id;
    }
}
