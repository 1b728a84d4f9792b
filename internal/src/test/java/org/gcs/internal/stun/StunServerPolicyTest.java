package org.gcs.internal.stun;

import static org.gcs.internal.stun.StunBytes.attribute;
import static org.gcs.internal.stun.StunBytes.hex;
import static org.gcs.internal.stun.StunBytes.message;
import static org.gcs.internal.stun.StunBytes.withFingerprint;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** What the server answers, byte for byte, for datagrams that are well-formed STUN: decode, then the policy. */
class StunServerPolicyTest {
    private static final byte[] TRANSACTION_ID = HexFormat.of().parseHex("0102030405060708090a0b0c");
    private static final byte[] RFC5769_ID = HexFormat.of().parseHex("b7e7a701bc34d686fa87dfae");
    private static final InetSocketAddress SENDER = sender();
    /** XOR-MAPPED-ADDRESS of 192.0.2.1:32853 (RFC 5769 §2.2) then FINGERPRINT. */
    private static final String MAPPED_SENDER = "0020 0008 0001 a147 e112a643";

    @Test
    void aBindingRequestGetsItsMappedAddress() throws Exception {
        byte[] expected = withFingerprint(message(0x0101, TRANSACTION_ID, hex(MAPPED_SENDER)));

        assertArrayEquals(expected, answer(message(0x0001, TRANSACTION_ID)));
        assertArrayEquals(expected, answer(withFingerprint(message(0x0001, TRANSACTION_ID))));
        assertArrayEquals(expected, answer(message(0x0001, TRANSACTION_ID, attribute(0x8022, "client".getBytes()),
                attribute(0xC057, new byte[4]), attribute(StunCodec.ATTR_XOR_MAPPED_ADDRESS, new byte[8]))),
                "comprehension-optional and known-but-unexpected attributes are ignored");
    }

    @Test
    void anUnknownComprehensionRequiredAttributeGets420ListingIt() throws Exception {
        byte[] request = withFingerprint(message(0x0001, TRANSACTION_ID, attribute(0x8022, "client".getBytes()),
                attribute(0x0003, new byte[4]))); // CHANGE-REQUEST (RFC 5780), which this server does not do

        byte[] expected = withFingerprint(message(0x0111, TRANSACTION_ID,
                hex("0009 0015  0000 0414  556e6b6e6f776e20417474726962757465 000000"),
                hex("000a 0002  0003 0000")));
        assertArrayEquals(expected, answer(request));
    }

    @Test
    void theRfc5769SampleRequestGets420ForPriority() throws Exception {
        byte[] response = answer(StunCodecTest.RFC5769_REQUEST);

        ByteBuffer in = ByteBuffer.wrap(response);
        assertEquals(StunCodec.BINDING_ERROR, in.getShort(0) & 0xFFFF);
        assertArrayEquals(RFC5769_ID, Arrays.copyOfRange(response, 8, 20));
        assertEquals(StunCodec.UNKNOWN_ATTRIBUTE, (in.get(26) & 0x7) * 100 + in.get(27));
        assertArrayEquals(hex("000a 0002 0024 0000"), Arrays.copyOfRange(response, 48, 56));
    }

    @Test
    void credentialsTheServerCannotCheckAreIgnoredAndTheAnswerIsUnsigned() throws Exception {
        byte[] longTermId = HexFormat.of().parseHex("78ad3433c6ad72c029da412e");

        byte[] response = answer(StunCodecTest.RFC5769_LONG_TERM_REQUEST);

        assertArrayEquals(withFingerprint(message(0x0101, longTermId, hex(MAPPED_SENDER))), response);
    }

    @Test
    void otherMethodsIndicationsAndResponsesGetNoAnswer() throws Exception {
        byte[] unknown = attribute(0x0003, new byte[4]);
        assertNoAnswer(message(0x0003, TRANSACTION_ID)); // Allocate (TURN) request
        assertNoAnswer(message(0x0003, TRANSACTION_ID, unknown));
        assertNoAnswer(message(0x3EEF, TRANSACTION_ID));
        assertNoAnswer(message(0x0011, TRANSACTION_ID)); // Binding indication, as ICE keep-alives
        assertNoAnswer(withFingerprint(message(0x0011, TRANSACTION_ID, unknown)));
        assertNoAnswer(message(0x0101, TRANSACTION_ID, hex(MAPPED_SENDER)));
        assertNoAnswer(message(0x0111, TRANSACTION_ID, unknown));
        assertNoAnswer(StunCodecTest.RFC5769_IPV4_RESPONSE);
        assertNoAnswer(StunCodecTest.RFC5769_IPV6_RESPONSE);
    }

    private static void assertNoAnswer(byte[] datagram) throws Exception {
        StunMessage message = StunCodec.decode(ByteBuffer.wrap(datagram));
        Optional<ByteBuffer> answer = StunServerPolicy.answer(message, SENDER);
        assertTrue(answer.isEmpty(), "answered " + message);
    }

    private static byte[] answer(byte[] datagram) throws Exception {
        ByteBuffer response = StunServerPolicy.answer(StunCodec.decode(ByteBuffer.wrap(datagram)), SENDER).orElseThrow();
        byte[] bytes = new byte[response.remaining()];
        response.get(bytes);
        return bytes;
    }

    private static InetSocketAddress sender() {
        try {
            return new InetSocketAddress(InetAddress.getByAddress(new byte[] {(byte) 192, 0, 2, 1}), 32853);
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }
}
