package org.gcs.node.stun;

import java.net.Inet4Address;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.Optional;
import java.util.zip.CRC32;

/**
 * Reads STUN Binding requests and writes Binding success responses (RFC 5389) without touching sockets. A response
 * carries {@code XOR-MAPPED-ADDRESS} and {@code FINGERPRINT}. Anything that is not a well-formed Binding request is
 * rejected with {@link MalformedStunException} so the caller can drop it.
 */
public final class StunCodec {
    public static final int HEADER_BYTES = 20;
    public static final int MAGIC_COOKIE = 0x2112A442;
    public static final int BINDING_REQUEST = 0x0001;
    public static final int BINDING_SUCCESS = 0x0101;
    public static final int ATTR_XOR_MAPPED_ADDRESS = 0x0020;
    public static final int ATTR_FINGERPRINT = 0x8028;
    private static final int FINGERPRINT_XOR = 0x5354554E;
    private static final int TRANSACTION_ID_BYTES = 12;

    private StunCodec() {
    }

    /** A STUN packet that is not a well-formed Binding request. */
    public static final class MalformedStunException extends Exception {
        private static final long serialVersionUID = 1L;

        MalformedStunException(String message) {
            super(message);
        }
    }

    /**
     * The 12-byte transaction id of a Binding request.
     *
     * @throws MalformedStunException if {@code packet} is not a Binding request with a consistent header
     */
    public static byte[] readBindingRequest(ByteBuffer packet) throws MalformedStunException {
        ByteBuffer in = packet.slice();
        if (in.remaining() < HEADER_BYTES) {
            throw new MalformedStunException("shorter than a STUN header: " + in.remaining() + " bytes");
        }
        int type = in.getShort() & 0xFFFF;
        int length = in.getShort() & 0xFFFF;
        int cookie = in.getInt();
        if ((type & 0xC000) != 0) {
            throw new MalformedStunException("not a STUN message: top bits set in type 0x" + Integer.toHexString(type));
        }
        if (cookie != MAGIC_COOKIE) {
            throw new MalformedStunException("wrong magic cookie 0x" + Integer.toHexString(cookie));
        }
        if (length % 4 != 0 || length != in.remaining() - TRANSACTION_ID_BYTES) {
            throw new MalformedStunException("message length " + length + " does not match the packet");
        }
        if (type != BINDING_REQUEST) {
            throw new MalformedStunException("not a Binding request: type 0x" + Integer.toHexString(type));
        }
        byte[] transactionId = new byte[TRANSACTION_ID_BYTES];
        in.get(transactionId);
        return transactionId;
    }

    /** A Binding success response to {@code transactionId} telling the client it was seen from {@code mapped}. */
    public static ByteBuffer bindingSuccess(byte[] transactionId, InetSocketAddress mapped) {
        if (transactionId.length != TRANSACTION_ID_BYTES) {
            throw new IllegalArgumentException("transaction id must be 12 bytes");
        }
        byte[] address = mapped.getAddress().getAddress();
        boolean ipv4 = mapped.getAddress() instanceof Inet4Address;
        int xorAddressLength = 4 + address.length;
        int fingerprintLength = 8;
        int bodyLength = 4 + xorAddressLength + fingerprintLength;
        ByteBuffer out = ByteBuffer.allocate(HEADER_BYTES + bodyLength);
        out.putShort((short) BINDING_SUCCESS).putShort((short) bodyLength).putInt(MAGIC_COOKIE).put(transactionId);

        out.putShort((short) ATTR_XOR_MAPPED_ADDRESS).putShort((short) xorAddressLength);
        out.put((byte) 0).put((byte) (ipv4 ? 0x01 : 0x02));
        out.putShort((short) (mapped.getPort() ^ (MAGIC_COOKIE >>> 16)));
        byte[] mask = xorMask(transactionId);
        for (int i = 0; i < address.length; i++) {
            out.put((byte) (address[i] ^ mask[i]));
        }

        CRC32 crc = new CRC32();
        crc.update(out.array(), 0, out.position());
        out.putShort((short) ATTR_FINGERPRINT).putShort((short) 4).putInt((int) crc.getValue() ^ FINGERPRINT_XOR);
        return out.flip();
    }

    /** The magic cookie followed by the transaction id: what address bytes are XORed with. */
    private static byte[] xorMask(byte[] transactionId) {
        return ByteBuffer.allocate(16).putInt(MAGIC_COOKIE).put(transactionId).array();
    }
}
