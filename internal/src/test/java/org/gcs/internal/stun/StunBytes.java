package org.gcs.internal.stun;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.HexFormat;
import java.util.zip.CRC32;

/** Builds STUN messages byte by byte for tests, independently of {@link StunCodec}'s encoder. */
final class StunBytes {
    static final int MAGIC_COOKIE = 0x2112A442;

    private StunBytes() {
    }

    /** Hex with any whitespace, as RFC 5769 prints its vectors. */
    static byte[] hex(String text) {
        return HexFormat.of().parseHex(text.replaceAll("\\s+", ""));
    }

    /** One attribute: type, length, value, zero padding to 4 bytes. */
    static byte[] attribute(int type, byte[] value) {
        ByteBuffer out = ByteBuffer.allocate(4 + ((value.length + 3) & ~3));
        out.putShort((short) type).putShort((short) value.length).put(value);
        return out.array();
    }

    /** A message of {@code type} with {@code attributes} (already encoded) and a header length that matches. */
    static byte[] message(int type, byte[] transactionId, byte[]... attributes) {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        for (byte[] a : attributes) {
            body.writeBytes(a);
        }
        return ByteBuffer.allocate(20 + body.size()).putShort((short) type).putShort((short) body.size())
                .putInt(MAGIC_COOKIE).put(transactionId).put(body.toByteArray()).array();
    }

    /** {@code message} with a correct FINGERPRINT appended (and its length grown by 8). */
    static byte[] withFingerprint(byte[] message) {
        ByteBuffer out = ByteBuffer.allocate(message.length + 8).put(message);
        out.putShort(2, (short) (message.length + 8 - 20));
        CRC32 crc = new CRC32();
        crc.update(out.array(), 0, message.length);
        out.putShort((short) 0x8028).putShort((short) 4).putInt((int) crc.getValue() ^ 0x5354554E);
        return out.array();
    }

    /** {@code message} with the byte at {@code index} XORed with {@code mask}. */
    static byte[] flip(byte[] message, int index, int mask) {
        byte[] copy = message.clone();
        copy[index] ^= (byte) mask;
        return copy;
    }
}
