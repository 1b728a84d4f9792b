package org.gcs.internal.stun;

import static org.gcs.internal.stun.StunBytes.attribute;
import static org.gcs.internal.stun.StunBytes.flip;
import static org.gcs.internal.stun.StunBytes.hex;
import static org.gcs.internal.stun.StunBytes.message;
import static org.gcs.internal.stun.StunBytes.withFingerprint;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.zip.CRC32;
import org.gcs.internal.stun.StunMessage.MessageClass;
import org.junit.jupiter.api.Test;

class StunCodecTest {
    private static final byte[] TRANSACTION_ID = HexFormat.of().parseHex("b7e7a701bc34d686fa87dfae");
    private static final byte[] SOFTWARE = attribute(0x8022, "test".getBytes());

    /** RFC 5769 §2.1: SOFTWARE, PRIORITY, ICE-CONTROLLED, USERNAME, MESSAGE-INTEGRITY, FINGERPRINT; padding is spaces. */
    static final byte[] RFC5769_REQUEST = hex("""
            00 01 00 58  21 12 a4 42  b7 e7 a7 01  bc 34 d6 86  fa 87 df ae
            80 22 00 10  53 54 55 4e  20 74 65 73  74 20 63 6c  69 65 6e 74
            00 24 00 04  6e 00 01 ff
            80 29 00 08  93 2f f9 b1  51 26 3b 36
            00 06 00 09  65 76 74 6a  3a 68 36 76  59 20 20 20
            00 08 00 14  9a ea a7 0c  bf d8 cb 56  78 1e f2 b5  b2 d3 f2 49  c1 b5 71 a2
            80 28 00 04  e5 7a 3b cf""");
    /** RFC 5769 §2.2: a success response, XOR-MAPPED-ADDRESS 192.0.2.1:32853. */
    static final byte[] RFC5769_IPV4_RESPONSE = hex("""
            01 01 00 3c  21 12 a4 42  b7 e7 a7 01  bc 34 d6 86  fa 87 df ae
            80 22 00 0b  74 65 73 74  20 76 65 63  74 6f 72 20
            00 20 00 08  00 01 a1 47  e1 12 a6 43
            00 08 00 14  2b 91 f5 99  fd 9e 90 c3  8c 74 89 f9  2a f9 ba 53  f0 6b e7 d7
            80 28 00 04  c0 7d 4c 96""");
    /** RFC 5769 §2.3: the same over IPv6. */
    static final byte[] RFC5769_IPV6_RESPONSE = hex("""
            01 01 00 48  21 12 a4 42  b7 e7 a7 01  bc 34 d6 86  fa 87 df ae
            80 22 00 0b  74 65 73 74  20 76 65 63  74 6f 72 20
            00 20 00 14  00 02 a1 47  01 13 a9 fa  a5 d3 f1 79  bc 25 f4 b5  be d2 b9 d9
            00 08 00 14  a3 82 95 4e  4b e6 7b f1  17 84 c9 7c  82 92 c2 75  bf e3 ed 41
            80 28 00 04  c8 fb 0b 4c""");
    /** RFC 5769 §2.4: long-term credentials, USERNAME, NONCE, REALM, MESSAGE-INTEGRITY, no FINGERPRINT. */
    static final byte[] RFC5769_LONG_TERM_REQUEST = hex("""
            00 01 00 60  21 12 a4 42  78 ad 34 33  c6 ad 72 c0  29 da 41 2e
            00 06 00 12  e3 83 9e e3  83 88 e3 83  aa e3 83 83  e3 82 af e3  82 b9 00 00
            00 15 00 1c  66 2f 2f 34  39 39 6b 39  35 34 64 36  4f 4c 33 34  6f 4c 39 46  53 54 76 79  36 34 73 41
            00 14 00 0b  65 78 61 6d  70 6c 65 2e  6f 72 67 00
            00 08 00 14  f6 70 24 65  6d d6 4a 3e  02 b8 e0 71  2e 85 c9 a2  8c a8 96 66""");

    @Test
    void readsTheTransactionIdOfABindingRequest() throws Exception {
        StunMessage request = decode(message(0x0001, TRANSACTION_ID));

        assertArrayEquals(TRANSACTION_ID, request.transactionId());
        assertEquals(StunCodec.BINDING, request.method());
        assertEquals(MessageClass.REQUEST, request.messageClass());
        assertEquals(List.of(), request.unknownRequired());
    }

    @Test
    void acceptsRequestsWithAttributes() throws Exception {
        StunMessage request = decode(message(0x0001, TRANSACTION_ID, SOFTWARE));

        assertArrayEquals(TRANSACTION_ID, request.transactionId());
        assertEquals(List.of(), request.unknownRequired());
    }

    @Test
    void readsClassAndMethodFromTheTypeBits() throws Exception {
        assertClassAndMethod(0x0011, MessageClass.INDICATION, 0x001);
        assertClassAndMethod(0x0101, MessageClass.SUCCESS_RESPONSE, 0x001);
        assertClassAndMethod(0x0111, MessageClass.ERROR_RESPONSE, 0x001);
        assertClassAndMethod(0x0003, MessageClass.REQUEST, 0x003);
        assertClassAndMethod(0x0016, MessageClass.INDICATION, 0x006);
        assertClassAndMethod(0x3EEF, MessageClass.REQUEST, 0xFFF);
    }

    @Test
    void rejectsWhatIsNotAWellFormedStunMessage() {
        assertMalformed(new byte[19], "shorter than a STUN header");
        assertMalformed("not stun at all, just bytes".getBytes(), "top bits");
        byte[] wrongCookie = message(0x0001, TRANSACTION_ID);
        ByteBuffer.wrap(wrongCookie).putInt(4, 0xDEADBEEF);
        assertMalformed(wrongCookie, "magic cookie");
        byte[] lengthPastTheDatagram = message(0x0001, TRANSACTION_ID);
        ByteBuffer.wrap(lengthPastTheDatagram).putShort(2, (short) 8);
        assertMalformed(lengthPastTheDatagram, "message length");
        byte[] bytesAfterTheMessage = message(0x0001, TRANSACTION_ID, SOFTWARE);
        ByteBuffer.wrap(bytesAfterTheMessage).putShort(2, (short) 0);
        assertMalformed(bytesAfterTheMessage, "message length");
        assertMalformed(flip(message(0x0001, TRANSACTION_ID), 0, 0xC0), "top bits");
        assertMalformed(flip(message(0x0001, TRANSACTION_ID), 0, 0x40), "top bits");
        byte[] notMultipleOfFour = ByteBuffer.allocate(23).putShort((short) 1).putShort((short) 3)
                .putInt(StunCodec.MAGIC_COOKIE).put(TRANSACTION_ID).put(new byte[] {1, 2, 3}).array();
        assertMalformed(notMultipleOfFour, "message length");
    }

    @Test
    void anAttributeRunningPastTheEndOfTheMessageIsMalformed() {
        byte[] software = attribute(0x8022, "test".getBytes());
        ByteBuffer.wrap(software).putShort(2, (short) 8); // says 8 value bytes, 4 follow
        assertMalformed(message(0x0001, TRANSACTION_ID, software), "runs past");
        ByteBuffer.wrap(software).putShort(2, (short) 5); // 5 bytes need 8 with padding
        assertMalformed(message(0x0001, TRANSACTION_ID, software), "runs past");
        byte[] huge = hex("0006 ffff 6162 6364");
        assertMalformed(message(0x0001, TRANSACTION_ID, SOFTWARE, huge), "runs past");
        assertMalformed(withFingerprint(message(0x0001, TRANSACTION_ID, huge)), "runs past");
    }

    @Test
    void readsTheRfc5769SampleRequestItsFingerprintAndItsOneUnknownAttribute() throws Exception {
        StunMessage request = decode(RFC5769_REQUEST);

        assertEquals(MessageClass.REQUEST, request.messageClass());
        assertArrayEquals(TRANSACTION_ID, request.transactionId());
        // PRIORITY (ICE, RFC 8445) is not STUN's; ICE-CONTROLLED is comprehension-optional; USERNAME and
        // MESSAGE-INTEGRITY are RFC 8489's own
        assertEquals(List.of(0x0024), request.unknownRequired());
    }

    @Test
    void readsTheRfc5769SampleResponsesAndLongTermRequest() throws Exception {
        assertEquals(MessageClass.SUCCESS_RESPONSE, decode(RFC5769_IPV4_RESPONSE).messageClass());
        assertEquals(MessageClass.SUCCESS_RESPONSE, decode(RFC5769_IPV6_RESPONSE).messageClass());
        StunMessage longTerm = decode(RFC5769_LONG_TERM_REQUEST);
        assertEquals(MessageClass.REQUEST, longTerm.messageClass());
        assertEquals(List.of(), longTerm.unknownRequired());
    }

    @Test
    void aWrongFingerprintMakesTheMessageMalformed() throws Exception {
        int fingerprintAt = RFC5769_REQUEST.length - 4;
        assertMalformed(flip(RFC5769_REQUEST, fingerprintAt, 0x01), "wrong FINGERPRINT");
        assertMalformed(flip(RFC5769_REQUEST, RFC5769_REQUEST.length - 1, 0x80), "wrong FINGERPRINT");
        assertMalformed(flip(RFC5769_REQUEST, 28, 0x01), "wrong FINGERPRINT"); // a byte of SOFTWARE
        assertMalformed(flip(RFC5769_REQUEST, 8, 0x01), "wrong FINGERPRINT"); // a byte of the transaction id
        assertMalformed(flip(RFC5769_IPV4_RESPONSE, 31, 0x01), "wrong FINGERPRINT");
        decode(withFingerprint(message(0x0001, TRANSACTION_ID, SOFTWARE)));
        assertMalformed(flip(withFingerprint(message(0x0001, TRANSACTION_ID)), 27, 0x10), "wrong FINGERPRINT");
    }

    @Test
    void aFingerprintThatIsNotLastOrNotFourBytesMakesTheMessageMalformed() {
        byte[] fingerprinted = withFingerprint(message(0x0001, TRANSACTION_ID));
        byte[] fingerprintAttribute = Arrays.copyOfRange(fingerprinted, 20, 28);
        assertMalformed(message(0x0001, TRANSACTION_ID, fingerprintAttribute, SOFTWARE), "not the last");
        assertMalformed(withFingerprint(message(0x0001, TRANSACTION_ID, fingerprintAttribute)), "not the last");
        assertMalformed(message(0x0001, TRANSACTION_ID, attribute(0x8028, new byte[8])), "FINGERPRINT of 8 bytes");
    }

    @Test
    void reportsUnknownComprehensionRequiredAttributesOnceEachInOrder() throws Exception {
        StunMessage request = decode(message(0x0001, TRANSACTION_ID,
                attribute(0x0003, new byte[4]), // CHANGE-REQUEST (RFC 5780): reserved in RFC 8489, unknown here
                attribute(0x8000, new byte[1]), // comprehension-optional: ignored
                attribute(0x7FFF, new byte[0]),
                attribute(0x0006, "user".getBytes()), // USERNAME: known
                attribute(0x0003, new byte[4]),
                attribute(0xFFFF, new byte[3]),
                attribute(0x0000, new byte[2])));

        assertEquals(List.of(0x0003, 0x7FFF, 0x0000), request.unknownRequired());
    }

    @Test
    void attributesAfterMessageIntegrityAreIgnoredButFingerprintIsChecked() throws Exception {
        byte[] integrity = attribute(StunCodec.ATTR_MESSAGE_INTEGRITY, new byte[20]);
        byte[] integritySha256 = attribute(StunCodec.ATTR_MESSAGE_INTEGRITY_SHA256, new byte[32]);
        byte[] priority = attribute(0x0024, new byte[4]);
        byte[] useCandidate = attribute(0x0025, new byte[0]);

        assertEquals(List.of(0x0024), decode(withFingerprint(message(0x0001, TRANSACTION_ID, priority, integrity,
                useCandidate))).unknownRequired());
        assertEquals(List.of(), decode(withFingerprint(message(0x0001, TRANSACTION_ID, integrity, integritySha256,
                priority))).unknownRequired());
        assertEquals(List.of(), decode(message(0x0001, TRANSACTION_ID, integritySha256, priority)).unknownRequired());
        assertMalformed(flip(withFingerprint(message(0x0001, TRANSACTION_ID, integrity, priority)), 30, 1),
                "wrong FINGERPRINT");
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
        assertEquals(MessageClass.SUCCESS_RESPONSE, StunCodec.decode(response).messageClass());
    }

    @Test
    void unknownAttributesErrorIsBindingError420WithThePaddedList() throws Exception {
        ByteBuffer response = StunCodec.bindingUnknownAttributes(TRANSACTION_ID, List.of(0x0003, 0x7FFF, 0x0024));

        byte[] expected = withFingerprint(message(0x0111, TRANSACTION_ID,
                hex("0009 0015  0000 0414  556e6b6e6f776e20417474726962757465 000000"), // 4, 20, "Unknown Attribute"
                hex("000a 0006  0003 7fff  0024 0000"))); // three types, two bytes of padding
        assertArrayEquals(expected, bytes(response));
        assertEquals(20 + 48, expected.length);
    }

    @Test
    void unknownAttributesErrorWithAnEvenCountNeedsNoPadding() throws Exception {
        ByteBuffer response = StunCodec.bindingUnknownAttributes(TRANSACTION_ID, List.of(0x0024, 0x0025));

        byte[] bytes = bytes(response);
        assertEquals(0x000a0004, ByteBuffer.wrap(bytes).getInt(48));
        assertEquals(0x00240025, ByteBuffer.wrap(bytes).getInt(52));
        assertEquals(StunCodec.ATTR_FINGERPRINT, ByteBuffer.wrap(bytes).getShort(56) & 0xFFFF);
        assertEquals(MessageClass.ERROR_RESPONSE, StunCodec.decode(ByteBuffer.wrap(bytes)).messageClass());
    }

    @Test
    void mangledMessagesAreMalformedOrDecodedNeverAnyOtherFailure() {
        byte[][] seeds = {RFC5769_REQUEST, RFC5769_IPV4_RESPONSE, RFC5769_IPV6_RESPONSE, RFC5769_LONG_TERM_REQUEST,
                message(0x0001, TRANSACTION_ID, SOFTWARE, attribute(0x0003, new byte[4]))};
        Random random = new Random(8489);
        int decoded = 0;
        for (int i = 0; i < 20_000; i++) {
            byte[] seed = seeds[i % seeds.length];
            byte[] mangled = switch (i % 4) {
                case 0 -> Arrays.copyOf(seed, random.nextInt(seed.length + 8));
                case 1 -> flip(seed, random.nextInt(seed.length), 1 + random.nextInt(255));
                case 2 -> flip(flip(seed, 2 + random.nextInt(2), 1 + random.nextInt(255)), 20 + random.nextInt(
                        seed.length - 20), 1 + random.nextInt(255));
                default -> randomMessage(random);
            };
            try {
                StunCodec.decode(ByteBuffer.wrap(mangled));
                decoded++;
            } catch (StunCodec.MalformedStunException expected) {
                // dropped: fine
            } catch (RuntimeException e) {
                fail("decoding " + HexFormat.of().formatHex(mangled) + " threw " + e);
            }
        }
        assertTrue(decoded > 0, "some inputs stayed well-formed");
    }

    /** A header that looks right followed by random attribute bytes. */
    private static byte[] randomMessage(Random random) {
        byte[] body = new byte[4 * random.nextInt(16)];
        random.nextBytes(body);
        return message(0x0001, TRANSACTION_ID, body);
    }

    private static StunMessage decode(byte[] datagram) throws StunCodec.MalformedStunException {
        return StunCodec.decode(ByteBuffer.wrap(datagram));
    }

    private static void assertClassAndMethod(int type, MessageClass expectedClass, int expectedMethod) throws Exception {
        StunMessage decoded = decode(message(type, TRANSACTION_ID));
        assertEquals(expectedClass, decoded.messageClass(), "class of 0x" + Integer.toHexString(type));
        assertEquals(expectedMethod, decoded.method(), "method of 0x" + Integer.toHexString(type));
    }

    private static void assertMalformed(byte[] datagram, String reason) {
        StunCodec.MalformedStunException e = assertThrows(StunCodec.MalformedStunException.class,
                () -> decode(datagram), "accepted " + HexFormat.of().formatHex(datagram));
        assertTrue(e.getMessage().contains(reason), e.getMessage());
    }

    private static byte[] bytes(ByteBuffer buffer) {
        byte[] out = new byte[buffer.remaining()];
        buffer.duplicate().get(out);
        return out;
    }
}
