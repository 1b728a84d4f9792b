package org.gcs.auth.bns;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * The hash a Stacks wallet signs for a message ({@code stx_signMessage}, stacks.js {@code hashMessage}):
 * SHA-256 of the prefix {@code "\x17Stacks Signed Message:\n"}, the message length as a Bitcoin CompactSize, and the
 * message. Some wallets still use the legacy prefix {@code "\x18Stacks Message Signing:\n"}; verifiers accept both.
 */
public final class StacksMessage {
    static final byte[] PREFIX = "\u0017Stacks Signed Message:\n".getBytes(StandardCharsets.ISO_8859_1);
    static final byte[] LEGACY_PREFIX = "\u0018Stacks Message Signing:\n".getBytes(StandardCharsets.ISO_8859_1);

    private StacksMessage() {
    }

    /** The hash signed for {@code message} (its bytes as they are, UTF-8 for text). */
    public static byte[] hash(byte[] message) {
        return hash(PREFIX, message);
    }

    /** The hash under the legacy prefix. */
    public static byte[] legacyHash(byte[] message) {
        return hash(LEGACY_PREFIX, message);
    }

    static byte[] hash(byte[] prefix, byte[] message) {
        ByteArrayOutputStream b = new ByteArrayOutputStream(prefix.length + 9 + message.length);
        b.writeBytes(prefix);
        b.writeBytes(compactSize(message.length));
        b.writeBytes(message);
        try {
            return MessageDigest.getInstance("SHA-256").digest(b.toByteArray());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Bitcoin CompactSize: one byte below 0xfd, else 0xfd/0xfe/0xff and 2/4/8 bytes little-endian. */
    static byte[] compactSize(long n) {
        if (n < 0xfd) {
            return new byte[] {(byte) n};
        }
        int bytes = n <= 0xffff ? 2 : n <= 0xffffffffL ? 4 : 8;
        byte[] out = new byte[1 + bytes];
        out[0] = (byte) (bytes == 2 ? 0xfd : bytes == 4 ? 0xfe : 0xff);
        for (int i = 0; i < bytes; i++) {
            out[1 + i] = (byte) (n >>> (8 * i));
        }
        return out;
    }
}
