package org.gcs.internal.stun;

import java.net.Inet4Address;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.zip.CRC32;

/**
 * The STUN wire format (RFC 8489) as far as the node's responder needs it, without sockets: {@link #decode} checks that
 * one datagram is one well-formed STUN message and reads what the responder acts on; {@link #bindingSuccess} and
 * {@link #bindingUnknownAttributes} write the two responses it sends. Every response ends with {@code FINGERPRINT}.
 *
 * <p>Where each rule comes from (sections of RFC 8489):
 * <ul>
 * <li>§5: the first two bits are 0, the magic cookie is 0x2112A442, the message length counts the bytes after the
 * 20-byte header and is a multiple of 4. §6.3: a message breaking §5 is silently discarded; "message length is
 * sensible" here means it is exactly the rest of the datagram (UDP carries one message per datagram). No RFC 3489
 * compatibility (§11 is optional): a message without the magic cookie is discarded.</li>
 * <li>§5: the class is bits C1 (0x0100) and C0 (0x0010) of the type, the method the other 12 bits.</li>
 * <li>§14: attributes are type-length-value, each value padded to a multiple of 4 bytes (padding content ignored); an
 * attribute running past the end of the message makes it malformed.</li>
 * <li>§7, §14.7: FINGERPRINT is optional, but when present it is the last attribute, 4 bytes long, and equals the CRC-32
 * of the message before it XOR 0x5354554E; otherwise the message is discarded (§6.3).</li>
 * <li>§9 (and §14.5, §14.6): attributes after MESSAGE-INTEGRITY or MESSAGE-INTEGRITY-SHA256 are ignored, FINGERPRINT
 * excepted. This server has no credentials (§12), so it checks neither; see {@link StunServerPolicy}.</li>
 * <li>§14, §18.3: types 0x0000-0x7FFF are comprehension-required. Those RFC 8489 defines are known (unexpected ones in
 * a request are ignored, §6.3); any other one is reported in {@link StunMessage#unknownRequired()} for a 420
 * (§6.3.1). Types 0x8000-0xFFFF other than FINGERPRINT are ignored.</li>
 * <li>§14.2 XOR-MAPPED-ADDRESS, §14.8 ERROR-CODE, §14.13 UNKNOWN-ATTRIBUTES (ordinary padding, not RFC 3489's repeated
 * last type).</li>
 * </ul>
 */
public final class StunCodec {
    public static final int HEADER_BYTES = 20;
    public static final int MAGIC_COOKIE = 0x2112A442;
    public static final int BINDING = 0x001;
    public static final int BINDING_REQUEST = 0x0001;
    public static final int BINDING_SUCCESS = 0x0101;
    public static final int BINDING_ERROR = 0x0111;
    public static final int ATTR_MESSAGE_INTEGRITY = 0x0008;
    public static final int ATTR_ERROR_CODE = 0x0009;
    public static final int ATTR_UNKNOWN_ATTRIBUTES = 0x000A;
    public static final int ATTR_MESSAGE_INTEGRITY_SHA256 = 0x001C;
    public static final int ATTR_XOR_MAPPED_ADDRESS = 0x0020;
    public static final int ATTR_FINGERPRINT = 0x8028;
    public static final int UNKNOWN_ATTRIBUTE = 420;
    private static final String UNKNOWN_ATTRIBUTE_REASON = "Unknown Attribute";
    private static final int FINGERPRINT_XOR = 0x5354554E;
    private static final int TRANSACTION_ID_BYTES = 12;
    private static final int FINGERPRINT_BYTES = 8;
    private static final int MAX_LENGTH = 0xFFFF;
    /** The comprehension-required attributes RFC 8489 defines (§18.3): MAPPED-ADDRESS ... XOR-MAPPED-ADDRESS. */
    private static final Set<Integer> KNOWN_REQUIRED = Set.of(0x0001, 0x0006, ATTR_MESSAGE_INTEGRITY, ATTR_ERROR_CODE,
            ATTR_UNKNOWN_ATTRIBUTES, 0x0014, 0x0015, ATTR_MESSAGE_INTEGRITY_SHA256, 0x001D, 0x001E, ATTR_XOR_MAPPED_ADDRESS);

    private StunCodec() {
    }

    /** A datagram that is not one well-formed STUN message: it gets no answer. */
    public static final class MalformedStunException extends Exception {
        private static final long serialVersionUID = 1L;

        MalformedStunException(String message) {
            super(message);
        }
    }

    /**
     * The STUN message that is the whole of {@code datagram} (read from its position to its limit, which stay as they
     * are).
     *
     * @throws MalformedStunException if the bytes break a rule listed in the class comment
     */
    public static StunMessage decode(ByteBuffer datagram) throws MalformedStunException {
        ByteBuffer in = datagram.slice();
        int size = in.remaining();
        if (size < HEADER_BYTES) {
            throw new MalformedStunException("shorter than a STUN header: " + size + " bytes");
        }
        int type = in.getShort(0) & 0xFFFF;
        int length = in.getShort(2) & 0xFFFF;
        int cookie = in.getInt(4);
        if ((type & 0xC000) != 0) {
            throw new MalformedStunException("not a STUN message: top bits set in type 0x" + Integer.toHexString(type));
        }
        if (cookie != MAGIC_COOKIE) {
            throw new MalformedStunException("wrong magic cookie 0x" + Integer.toHexString(cookie));
        }
        if (length % 4 != 0 || length != size - HEADER_BYTES) {
            throw new MalformedStunException("message length " + length + " does not match the " + size + "-byte datagram");
        }
        byte[] transactionId = new byte[TRANSACTION_ID_BYTES];
        in.get(8, transactionId);
        List<Integer> unknown = new ArrayList<>();
        boolean afterIntegrity = false;
        int offset = HEADER_BYTES;
        while (offset < size) {
            int attrType = in.getShort(offset) & 0xFFFF;
            int attrLength = in.getShort(offset + 2) & 0xFFFF;
            int valueAt = offset + 4;
            int next = valueAt + padded(attrLength);
            if (next > size) {
                throw new MalformedStunException(String.format("attribute 0x%04x of %d bytes at offset %d runs past the "
                        + "%d-byte message", attrType, attrLength, offset, size));
            }
            if (attrType == ATTR_FINGERPRINT) {
                checkFingerprint(in, offset, attrLength, next == size);
            } else if (attrType == ATTR_MESSAGE_INTEGRITY || attrType == ATTR_MESSAGE_INTEGRITY_SHA256) {
                afterIntegrity = true;
            } else if (!afterIntegrity && attrType < 0x8000 && !KNOWN_REQUIRED.contains(attrType)
                    && !unknown.contains(attrType)) {
                unknown.add(attrType);
            }
            offset = next;
        }
        int method = (type & 0x000F) | ((type & 0x00E0) >> 1) | ((type & 0x3E00) >> 2);
        int classBits = ((type >> 4) & 0x1) | ((type >> 7) & 0x2);
        return new StunMessage(method, StunMessage.MessageClass.ofBits(classBits), transactionId, unknown);
    }

    private static void checkFingerprint(ByteBuffer in, int offset, int attrLength, boolean last)
            throws MalformedStunException {
        if (!last) {
            throw new MalformedStunException("FINGERPRINT at offset " + offset + " is not the last attribute");
        }
        if (attrLength != 4) {
            throw new MalformedStunException("FINGERPRINT of " + attrLength + " bytes");
        }
        if (in.getInt(offset + 4) != fingerprint(in, offset)) {
            throw new MalformedStunException("wrong FINGERPRINT");
        }
    }

    /** A Binding success response to {@code transactionId} telling the client it was seen from {@code mapped}. */
    public static ByteBuffer bindingSuccess(byte[] transactionId, InetSocketAddress mapped) {
        byte[] address = mapped.getAddress().getAddress();
        ByteBuffer value = ByteBuffer.allocate(4 + address.length);
        value.put((byte) 0).put((byte) (mapped.getAddress() instanceof Inet4Address ? 0x01 : 0x02));
        value.putShort((short) (mapped.getPort() ^ (MAGIC_COOKIE >>> 16)));
        byte[] mask = ByteBuffer.allocate(16).putInt(MAGIC_COOKIE).put(transactionId).array();
        for (int i = 0; i < address.length; i++) {
            value.put((byte) (address[i] ^ mask[i]));
        }
        return message(BINDING_SUCCESS, transactionId, List.of(new Attribute(ATTR_XOR_MAPPED_ADDRESS, value.array())));
    }

    /**
     * A Binding error response 420 (Unknown Attribute) to {@code transactionId} listing {@code types} in
     * UNKNOWN-ATTRIBUTES.
     */
    public static ByteBuffer bindingUnknownAttributes(byte[] transactionId, List<Integer> types) {
        if (types.isEmpty()) {
            throw new IllegalArgumentException("a 420 lists at least one attribute type");
        }
        byte[] reason = UNKNOWN_ATTRIBUTE_REASON.getBytes(StandardCharsets.UTF_8);
        ByteBuffer errorCode = ByteBuffer.allocate(4 + reason.length)
                .putShort((short) 0).put((byte) (UNKNOWN_ATTRIBUTE / 100)).put((byte) (UNKNOWN_ATTRIBUTE % 100)).put(reason);
        ByteBuffer list = ByteBuffer.allocate(2 * types.size());
        types.forEach(t -> list.putShort(t.shortValue()));
        return message(BINDING_ERROR, transactionId, List.of(new Attribute(ATTR_ERROR_CODE, errorCode.array()),
                new Attribute(ATTR_UNKNOWN_ATTRIBUTES, list.array())));
    }

    private record Attribute(int type, byte[] value) {
    }

    /** Header, {@code attributes} zero-padded, then FINGERPRINT over all of it. */
    private static ByteBuffer message(int type, byte[] transactionId, List<Attribute> attributes) {
        if (transactionId.length != TRANSACTION_ID_BYTES) {
            throw new IllegalArgumentException("transaction id must be 12 bytes");
        }
        int length = FINGERPRINT_BYTES;
        for (Attribute a : attributes) {
            length += 4 + padded(a.value().length);
        }
        if (length > MAX_LENGTH) {
            throw new IllegalArgumentException("STUN message of " + length + " bytes exceeds the 16-bit length");
        }
        ByteBuffer out = ByteBuffer.allocate(HEADER_BYTES + length);
        out.putShort((short) type).putShort((short) length).putInt(MAGIC_COOKIE).put(transactionId);
        for (Attribute a : attributes) {
            out.putShort((short) a.type()).putShort((short) a.value().length).put(a.value());
            out.position(out.position() + padded(a.value().length) - a.value().length); // allocate() zeroed the padding
        }
        int fingerprint = fingerprint(out, out.position());
        out.putShort((short) ATTR_FINGERPRINT).putShort((short) 4).putInt(fingerprint);
        return out.flip();
    }

    /** CRC-32 of the first {@code end} bytes of {@code message} XOR 0x5354554E (§14.7). */
    private static int fingerprint(ByteBuffer message, int end) {
        CRC32 crc = new CRC32();
        crc.update(message.duplicate().position(0).limit(end));
        return (int) crc.getValue() ^ FINGERPRINT_XOR;
    }

    private static int padded(int length) {
        return (length + 3) & ~3;
    }
}
