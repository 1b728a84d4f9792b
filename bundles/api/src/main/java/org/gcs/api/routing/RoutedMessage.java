package org.gcs.api.routing;

import java.util.Arrays;
import java.util.Objects;
import org.gcs.api.NodeId;

/**
 * A control message from one device to another, as one node hands it to another: the node that vouches for the
 * sender ({@code origin}: the node the sender is logged in to, which authenticated her), the sender and recipient
 * devices, what kind of step of a connect it is, and an opaque payload (an encoded {@code NodeFrame}) that routers
 * carry unread.
 *
 * @param origin the node the sender is attached to; a receiving node holds it responsible for the message
 * @param kind which step of a connect this is; routers decide by it, never by parsing the payload
 * @param from the authenticated sender
 * @param to the recipient device
 * @param toNode the node the origin believes hosts {@code to} (learned from earlier messages of the same connection),
 *     or {@code null}; a router may deliver there directly without a lookup (session affinity)
 * @param payload the encoded frame
 */
public record RoutedMessage(NodeId origin, Kind kind, Endpoint from, Endpoint to, NodeId toNode, byte[] payload) {
    /** The steps of a connect that travel between devices. */
    public enum Kind {
        /** Opens a connection: the callee's handler checks her friends policy before her device hears of it. */
        CONNECT_REQUEST,
        /** The callee's answer, back to the caller. */
        CONNECT_RESULT,
        /** Trickled transport signaling on a connection, either way. */
        SIGNAL
    }

    public RoutedMessage {
        Objects.requireNonNull(origin, "origin");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(from, "from");
        Objects.requireNonNull(to, "to");
        payload = Objects.requireNonNull(payload, "payload").clone();
    }

    @Override
    public byte[] payload() {
        return payload.clone();
    }

    /** The payload's length, without copying it. */
    public int size() {
        return payload.length;
    }

    /** This message with another payload (a router that must rewrite, e.g. a test double of a malicious node). */
    public RoutedMessage withPayload(byte[] newPayload) {
        return new RoutedMessage(origin, kind, from, to, toNode, newPayload);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RoutedMessage m && origin.equals(m.origin) && kind == m.kind && from.equals(m.from)
                && to.equals(m.to) && Objects.equals(toNode, m.toNode) && Arrays.equals(payload, m.payload);
    }

    @Override
    public int hashCode() {
        return Objects.hash(origin, kind, from, to, toNode, Arrays.hashCode(payload));
    }

    @Override
    public String toString() {
        return kind + " " + from + " -> " + to + " via " + origin.toString().substring(0, 8) + " (" + payload.length
                + " bytes)";
    }
}
