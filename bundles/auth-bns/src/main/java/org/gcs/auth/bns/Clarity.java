package org.gcs.auth.bns;

import java.io.ByteArrayOutputStream;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.gcs.api.ProtocolException;

/**
 * Clarity values in their consensus serialization, as a Stacks node's read-only calls take arguments and answer:
 * int {@code 00}, uint {@code 01}, buff {@code 02}, true {@code 03}, false {@code 04}, standard principal {@code 05},
 * contract principal {@code 06}, ok {@code 07}, err {@code 08}, none {@code 09}, some {@code 0a}, list {@code 0b},
 * tuple {@code 0c} (keys sorted), string-ascii {@code 0d}, string-utf8 {@code 0e}. Decoding is bounded and strict:
 * trailing bytes, unknown types and nesting deeper than {@value #MAX_DEPTH} are {@link ProtocolException}s.
 */
public final class Clarity {
    static final int MAX_DEPTH = 16;
    private static final int MAX_ITEMS = 4096;

    private Clarity() {
    }

    /** A decoded value. */
    public sealed interface Value permits Int, UInt, Buff, Bool, Principal, Ok, Err, None, Some, ListValue, Tuple, Text {
    }

    public record Int(BigInteger value) implements Value {
    }

    public record UInt(BigInteger value) implements Value {
    }

    public record Buff(byte[] bytes) implements Value {
        @Override
        public boolean equals(Object o) {
            return o instanceof Buff b && Arrays.equals(b.bytes, bytes);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(bytes);
        }
    }

    public record Bool(boolean value) implements Value {
    }

    /** A principal: {@code contract} is {@code null} for a standard (key-owned) one. */
    public record Principal(StacksAddress address, String contract) implements Value {
        public boolean isContract() {
            return contract != null;
        }

        @Override
        public String toString() {
            return contract == null ? address.toString() : address + "." + contract;
        }
    }

    public record Ok(Value value) implements Value {
    }

    public record Err(Value value) implements Value {
    }

    public record None() implements Value {
    }

    public record Some(Value value) implements Value {
    }

    public record ListValue(List<Value> items) implements Value {
    }

    public record Tuple(Map<String, Value> fields) implements Value {
        public Value get(String key) {
            Value v = fields.get(key);
            if (v == null) {
                throw new ProtocolException("tuple without " + key);
            }
            return v;
        }
    }

    public record Text(String value) implements Value {
    }

    // ---- encoding (the arguments GCS sends) --------------------------------------------------------------------

    public static byte[] buff(byte[] bytes) {
        return ByteBuffer.allocate(5 + bytes.length).put((byte) 0x02).putInt(bytes.length).put(bytes).array();
    }

    public static byte[] principal(StacksAddress address) {
        return ByteBuffer.allocate(22).put((byte) 0x05).put((byte) address.version()).put(address.hash160()).array();
    }

    /** A tuple of already serialized values, keys sorted as consensus requires. */
    public static byte[] tuple(Map<String, byte[]> fields) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(0x0c);
        out.writeBytes(ByteBuffer.allocate(4).putInt(fields.size()).array());
        for (Map.Entry<String, byte[]> e : new TreeMap<>(fields).entrySet()) {
            byte[] key = e.getKey().getBytes(StandardCharsets.US_ASCII);
            out.write(key.length);
            out.writeBytes(key);
            out.writeBytes(e.getValue());
        }
        return out.toByteArray();
    }

    // ---- decoding (the answers of a Stacks node) -----------------------------------------------------------------

    /** Decodes one whole value. */
    public static Value decode(byte[] bytes) {
        ByteBuffer in = ByteBuffer.wrap(bytes);
        Value v;
        try {
            v = read(in, 0);
        } catch (java.nio.BufferUnderflowException e) {
            throw new ProtocolException("truncated Clarity value");
        }
        if (in.hasRemaining()) {
            throw new ProtocolException(in.remaining() + " bytes after the Clarity value");
        }
        return v;
    }

    private static Value read(ByteBuffer in, int depth) {
        if (depth > MAX_DEPTH) {
            throw new ProtocolException("Clarity value nested deeper than " + MAX_DEPTH);
        }
        int type = in.get() & 0xff;
        switch (type) {
            case 0x00:
                return new Int(new BigInteger(bytes(in, 16)));
            case 0x01:
                return new UInt(new BigInteger(1, bytes(in, 16)));
            case 0x02:
                return new Buff(bytes(in, length(in)));
            case 0x03:
                return new Bool(true);
            case 0x04:
                return new Bool(false);
            case 0x05:
                return new Principal(address(in), null);
            case 0x06: {
                StacksAddress a = address(in);
                String name = new String(bytes(in, in.get() & 0xff), StandardCharsets.US_ASCII);
                return new Principal(a, name);
            }
            case 0x07:
                return new Ok(read(in, depth + 1));
            case 0x08:
                return new Err(read(in, depth + 1));
            case 0x09:
                return new None();
            case 0x0a:
                return new Some(read(in, depth + 1));
            case 0x0b: {
                int n = count(in);
                List<Value> items = new ArrayList<>(n);
                for (int i = 0; i < n; i++) {
                    items.add(read(in, depth + 1));
                }
                return new ListValue(List.copyOf(items));
            }
            case 0x0c: {
                int n = count(in);
                Map<String, Value> fields = new LinkedHashMap<>();
                for (int i = 0; i < n; i++) {
                    String key = new String(bytes(in, in.get() & 0xff), StandardCharsets.US_ASCII);
                    if (fields.put(key, read(in, depth + 1)) != null) {
                        throw new ProtocolException("tuple key " + key + " twice");
                    }
                }
                return new Tuple(java.util.Collections.unmodifiableMap(fields));
            }
            case 0x0d:
                return new Text(new String(bytes(in, length(in)), StandardCharsets.US_ASCII));
            case 0x0e:
                return new Text(new String(bytes(in, length(in)), StandardCharsets.UTF_8));
            default:
                throw new ProtocolException("unknown Clarity type 0x" + Integer.toHexString(type));
        }
    }

    private static StacksAddress address(ByteBuffer in) {
        int version = in.get() & 0xff;
        if (version > 31) {
            throw new ProtocolException("principal version " + version);
        }
        return new StacksAddress(version, bytes(in, 20));
    }

    private static int length(ByteBuffer in) {
        long n = in.getInt() & 0xffffffffL;
        if (n > in.remaining()) {
            throw new ProtocolException("Clarity length " + n + " beyond the " + in.remaining() + " bytes left");
        }
        return (int) n;
    }

    private static int count(ByteBuffer in) {
        long n = in.getInt() & 0xffffffffL;
        if (n > MAX_ITEMS || n > in.remaining()) {
            throw new ProtocolException("Clarity list or tuple of " + n + " items");
        }
        return (int) n;
    }

    private static byte[] bytes(ByteBuffer in, int n) {
        byte[] b = new byte[n];
        in.get(b);
        return b;
    }
}
