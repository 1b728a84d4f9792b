package org.gcs.api;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * A GCS node: 32 bytes, the SHA-256 of the node's TLS public key (its SubjectPublicKeyInfo encoding). Daemons pin it;
 * the Kademlia DHT uses it as the node's key in the XOR metric.
 */
public final class NodeId implements Comparable<NodeId> {
    public static final int LENGTH = 32;
    private final byte[] bytes;

    private NodeId(byte[] bytes) {
        if (bytes == null || bytes.length != LENGTH) {
            throw new IllegalArgumentException("node id must be " + LENGTH + " bytes");
        }
        this.bytes = bytes.clone();
    }

    public static NodeId of(byte[] bytes) {
        return new NodeId(bytes);
    }

    /** Parses the 64-character hex form written by {@link #toString()}. */
    public static NodeId fromHex(String hex) {
        if (hex == null || hex.length() != 2 * LENGTH) {
            throw new IllegalArgumentException("node id must be 64 hex characters: " + hex);
        }
        return new NodeId(HexFormat.of().parseHex(hex));
    }

    /** The id of the node whose TLS key has this encoded public key. */
    public static NodeId fromPublicKey(byte[] subjectPublicKeyInfo) {
        try {
            return new NodeId(MessageDigest.getInstance("SHA-256").digest(subjectPublicKeyInfo));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }

    public byte[] toBytes() {
        return bytes.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof NodeId other && Arrays.equals(bytes, other.bytes);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(bytes);
    }

    @Override
    public int compareTo(NodeId o) {
        return Arrays.compareUnsigned(bytes, o.bytes);
    }

    @Override
    public String toString() {
        return HexFormat.of().formatHex(bytes);
    }
}
