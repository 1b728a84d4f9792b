package org.gcs.routing.kademlia.dht;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Objects;
import java.util.random.RandomGenerator;
import org.gcs.api.NodeId;
import org.gcs.api.UserId;

/**
 * A 256-bit point of the DHT's key space, compared in the XOR metric. Nodes sit at {@link #of(NodeId)} (their id is
 * already a SHA-256), users at {@link #ofUser(UserId)}. Immutable; any thread.
 *
 * <pre>{@code
 * Key user = Key.ofUser(UserId.parse("pk:abc"));
 * int closer = user.compareDistance(Key.of(a), Key.of(b)); // < 0: a is closer to the user than b
 * }</pre>
 */
public final class Key implements Comparable<Key> {
    /** Number of bits in a key. */
    public static final int BITS = 256;
    private static final String USER_PREFIX = "gcs-user:";

    // Big-endian: w0 holds bits 0..63 (the most significant), w3 bits 192..255.
    private final long w0;
    private final long w1;
    private final long w2;
    private final long w3;

    private Key(long w0, long w1, long w2, long w3) {
        this.w0 = w0;
        this.w1 = w1;
        this.w2 = w2;
        this.w3 = w3;
    }

    /** The key of a node: its id bytes as they are (the id is the SHA-256 of the node's public key). */
    public static Key of(NodeId node) {
        return ofBytes(Objects.requireNonNull(node, "node").toBytes());
    }

    /** The key of a user: SHA-256 of the UTF-8 bytes of {@code "gcs-user:" + user}. */
    public static Key ofUser(UserId user) {
        byte[] text = (USER_PREFIX + Objects.requireNonNull(user, "user")).getBytes(StandardCharsets.UTF_8);
        try {
            return ofBytes(MessageDigest.getInstance("SHA-256").digest(text));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }

    /** A key from its 32 big-endian bytes. */
    public static Key ofBytes(byte[] bytes) {
        if (bytes == null || bytes.length != BITS / 8) {
            throw new IllegalArgumentException("key must be " + BITS / 8 + " bytes");
        }
        ByteBuffer b = ByteBuffer.wrap(bytes);
        return new Key(b.getLong(), b.getLong(), b.getLong(), b.getLong());
    }

    /** A uniformly random key. */
    public static Key random(RandomGenerator random) {
        return new Key(random.nextLong(), random.nextLong(), random.nextLong(), random.nextLong());
    }

    /**
     * A random key sharing exactly {@code prefixLength} leading bits with {@code base} (so it falls in the bucket of
     * that common prefix length of a table centred on {@code base}).
     */
    public static Key randomWithPrefix(Key base, int prefixLength, RandomGenerator random) {
        if (prefixLength < 0 || prefixLength >= BITS) {
            throw new IllegalArgumentException("prefix length must be in [0, " + (BITS - 1) + "]: " + prefixLength);
        }
        long[] r = {random.nextLong(), random.nextLong(), random.nextLong(), random.nextLong()};
        long[] b = base.words();
        long[] out = new long[4];
        for (int i = 0; i < 4; i++) {
            int from = i * 64;
            long keepMask; // bits of this word copied from base
            if (prefixLength >= from + 64) {
                keepMask = -1L;
            } else if (prefixLength <= from) {
                keepMask = 0L;
            } else {
                keepMask = -1L << (64 - (prefixLength - from));
            }
            out[i] = (b[i] & keepMask) | (r[i] & ~keepMask);
        }
        int word = prefixLength / 64;
        long flip = 1L << (63 - prefixLength % 64); // the first differing bit must differ
        out[word] = (out[word] & ~flip) | (~b[word] & flip);
        return new Key(out[0], out[1], out[2], out[3]);
    }

    /** The XOR distance between this key and {@code other}, itself a key (compare distances with compareTo). */
    public Key distance(Key other) {
        return new Key(w0 ^ other.w0, w1 ^ other.w1, w2 ^ other.w2, w3 ^ other.w3);
    }

    /** Negative when {@code a} is closer to this key than {@code b}, zero when they are the same key, else positive. */
    public int compareDistance(Key a, Key b) {
        int c = Long.compareUnsigned(w0 ^ a.w0, w0 ^ b.w0);
        if (c != 0) {
            return c;
        }
        c = Long.compareUnsigned(w1 ^ a.w1, w1 ^ b.w1);
        if (c != 0) {
            return c;
        }
        c = Long.compareUnsigned(w2 ^ a.w2, w2 ^ b.w2);
        return c != 0 ? c : Long.compareUnsigned(w3 ^ a.w3, w3 ^ b.w3);
    }

    /** The number of leading bits this key shares with {@code other}; {@value #BITS} when they are equal. */
    public int commonPrefixLength(Key other) {
        long x = w0 ^ other.w0;
        if (x != 0) {
            return Long.numberOfLeadingZeros(x);
        }
        x = w1 ^ other.w1;
        if (x != 0) {
            return 64 + Long.numberOfLeadingZeros(x);
        }
        x = w2 ^ other.w2;
        if (x != 0) {
            return 128 + Long.numberOfLeadingZeros(x);
        }
        x = w3 ^ other.w3;
        return x != 0 ? 192 + Long.numberOfLeadingZeros(x) : BITS;
    }

    public byte[] toBytes() {
        return ByteBuffer.allocate(BITS / 8).putLong(w0).putLong(w1).putLong(w2).putLong(w3).array();
    }

    private long[] words() {
        return new long[] {w0, w1, w2, w3};
    }

    /** Unsigned numeric order of the 256-bit values (for distances: nearer first). */
    @Override
    public int compareTo(Key o) {
        int c = Long.compareUnsigned(w0, o.w0);
        if (c != 0) {
            return c;
        }
        c = Long.compareUnsigned(w1, o.w1);
        if (c != 0) {
            return c;
        }
        c = Long.compareUnsigned(w2, o.w2);
        return c != 0 ? c : Long.compareUnsigned(w3, o.w3);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Key k && w0 == k.w0 && w1 == k.w1 && w2 == k.w2 && w3 == k.w3;
    }

    @Override
    public int hashCode() {
        return Long.hashCode(w0 ^ w1 * 31 ^ w2 * 961 ^ w3 * 29791);
    }

    /** The 64 hex characters of the key. */
    @Override
    public String toString() {
        return HexFormat.of().formatHex(toBytes());
    }
}
