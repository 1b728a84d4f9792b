package org.gcs.node.stun;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.HexFormat;
import java.util.zip.CRC32;
import org.junit.jupiter.api.Test;

class StunCodecTest {
    private static final byte[] TRANSACTION_ID = HexFormat.of().parseHex("b7e7a701bc34d686fa87dfae");

    @Test
    void readsTheTransactionIdOfABindingRequest() throws Exception {
        assertArrayEquals(TRANSACTION_ID, StunCodec.readBindingRequest(request(0x0001, TRANSACTION_ID, new byte[0])));
    }

    @Test
    void acceptsRequestsWithAttributes() throws Exception {
        byte[] software = {(byte) 0x80, 0x22, 0, 4, 't', 'e', 's', 't'};
        assertArrayEquals(TRANSACTION_ID, StunCodec.readBindingRequest(request(0x0001, TRANSACTION_ID, software)));
    }

    @Test
    void rejectsWhatIsNotAWellFormedBindingRequest() {
        assertMalformed(ByteBuffer.allocate(19));
        assertMalformed(request(0x0101, TRANSACTION_ID, new byte[0]));
        assertMalformed(request(0x0011, TRANSACTION_ID, new byte[0]));
        ByteBuffer wrongCookie = request(0x0001, TRANSACTION_ID, new byte[0]);
        wrongCookie.putInt(4, 0xDEADBEEF);
        assertMalformed(wrongCookie);
        ByteBuffer wrongLength = request(0x0001, TRANSACTION_ID, new byte[0]);
        wrongLength.putShort(2, (short) 8);
        assertMalformed(wrongLength);
        ByteBuffer notStun = request(0x0001, TRANSACTION_ID, new byte[0]);
        notStun.put(0, (byte) 0xC0);
        assertMalformed(notStun);
        assertMalformed(request(0x0001, TRANSACTION_ID, new byte[] {1, 2, 3}));
    }

    @Test
    void successResponseCarriesXorMappedIpv4AddressAndFingerprint() throws Exception {
        // RFC 5769 section 2.2 mapped address 192.0.2.1:32853 -> X-Port 0xa147, X-Address 0xe112a643
        InetSocketAddress mapped = new InetSocketAddress(InetAddress.getByName("192.0.2.1"), 32853);

        ByteBuffer response = StunCodec.bindingSuccess(TRANSACTION_ID, mapped);

        assertEquals(StunCodec.BINDING_SUCCESS, response.getShort(0) & 0xFFFF);
        assertEquals(response.remaining() - 20, response.getShort(2) & 0xFFFF);
        assertEquals(StunCodec.MAGIC_COOKIE, response.getInt(4));
        byte[] id = new byte[12];
        response.get(8, id);
        assertArrayEquals(TRANSACTION_ID, id);
        assertEquals(StunCodec.ATTR_XOR_MAPPED_ADDRESS, response.getShort(20) & 0xFFFF);
        assertEquals(8, response.getShort(22));
        assertEquals(0x01, response.get(25));
        assertEquals(0xa147, response.getShort(26) & 0xFFFF);
        assertEquals(0xe112a643, response.getInt(28));
        assertEquals(StunCodec.ATTR_FINGERPRINT, response.getShort(32) & 0xFFFF);
        CRC32 crc = new CRC32();
        crc.update(response.array(), 0, 32);
        assertEquals((int) crc.getValue() ^ 0x5354554E, response.getInt(36));
        assertEquals(40, response.remaining());
    }

    @Test
    void successResponseCarriesXorMappedIpv6Address() throws Exception {
        // RFC 5769 section 2.3: 2001:db8:1234:5678:11:2233:4455:6677 port 32853
        InetSocketAddress mapped = new InetSocketAddress(InetAddress.getByName("2001:db8:1234:5678:11:2233:4455:6677"), 32853);

        ByteBuffer response = StunCodec.bindingSuccess(TRANSACTION_ID, mapped);

        assertEquals(0x02, response.get(25));
        assertEquals(20, response.getShort(22));
        byte[] xAddress = new byte[16];
        response.get(28, xAddress);
        assertArrayEquals(HexFormat.of().parseHex("0113a9faa5d3f179bc25f4b5bed2b9d9"), xAddress);
    }

    private static void assertMalformed(ByteBuffer packet) {
        assertThrows(StunCodec.MalformedStunException.class, () -> StunCodec.readBindingRequest(packet));
    }

    private static ByteBuffer request(int type, byte[] transactionId, byte[] attributes) {
        return ByteBuffer.allocate(20 + attributes.length).putShort((short) type).putShort((short) attributes.length)
                .putInt(StunCodec.MAGIC_COOKIE).put(transactionId).put(attributes).flip();
    }
}
