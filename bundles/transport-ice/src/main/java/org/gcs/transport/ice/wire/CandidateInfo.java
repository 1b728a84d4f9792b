package org.gcs.transport.ice.wire;

import java.net.InetAddress;
import java.util.Objects;

/**
 * One ICE candidate as it travels to the peer (UDP only, component 1).
 *
 * @param foundation ICE foundation, 1..32 ice-chars
 * @param priority ICE priority, 0..2^32-1
 * @param type candidate type
 * @param address transport address
 * @param port transport port, 1..65535
 * @param relatedAddress base / mapped address for reflexive and relayed candidates, or {@code null}
 * @param relatedPort port of {@code relatedAddress}, 0 when absent
 */
public record CandidateInfo(String foundation, long priority, Type type, InetAddress address, int port,
                            InetAddress relatedAddress, int relatedPort) {
    /** Candidate types, with their wire codes. */
    public enum Type {
        HOST(1), SERVER_REFLEXIVE(2), PEER_REFLEXIVE(3), RELAYED(4);

        final int code;

        Type(int code) {
            this.code = code;
        }

        static Type ofCode(int code) {
            for (Type t : values()) {
                if (t.code == code) {
                    return t;
                }
            }
            return null;
        }
    }

    public CandidateInfo {
        Objects.requireNonNull(foundation, "foundation");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(address, "address");
        if (!WireCodec.isIceChars(foundation, 1, WireCodec.MAX_FOUNDATION)) {
            throw new IllegalArgumentException("bad foundation: " + foundation);
        }
        if (priority < 0 || priority > 0xFFFF_FFFFL) {
            throw new IllegalArgumentException("priority out of range: " + priority);
        }
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port out of range: " + port);
        }
        if (relatedAddress == null ? relatedPort != 0 : relatedPort < 1 || relatedPort > 65535) {
            throw new IllegalArgumentException("related port out of range: " + relatedPort);
        }
    }

    @Override
    public String toString() {
        return type + " " + address.getHostAddress() + ":" + port + " prio " + priority;
    }
}
