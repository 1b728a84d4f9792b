package org.gcs.internal.stun;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Optional;
import java.util.zip.CRC32;
import org.junit.jupiter.api.Timeout;

/**
 * Fuzzes what the STUN responder does with one datagram: {@link StunCodec#decode} then {@link StunServerPolicy#answer}.
 * Properties: decode returns a message or throws {@link StunCodec.MalformedStunException}, nothing else, and leaves the
 * datagram's position and limit alone; every answer is itself a well-formed Binding response (FINGERPRINT included) to
 * the same transaction; a Binding request always gets one. Each input is tried as it is and, since random bytes almost
 * never carry a right magic cookie, length and CRC, once more repaired into a message with a correct header and
 * FINGERPRINT, which takes the attribute walk deeper.
 *
 * <p>Seeds: {@code src/test/resources/org/gcs/node/stun/StunCodecFuzzTestInputs/decodeAndAnswer/}. Fuzz with
 * {@code scripts/fuzz.sh} (README, "Fuzzing").
 */
@Timeout(10)
class StunCodecFuzzTest {
    private static final InetSocketAddress SENDER_V4 = sender("192.0.2.1", 32853);
    private static final InetSocketAddress SENDER_V6 = sender("2001:db8::1", 40000);

    @FuzzTest
    void decodeAndAnswer(byte[] datagram) {
        InetSocketAddress sender = datagram.length % 2 == 0 ? SENDER_V4 : SENDER_V6;
        decodeAndAnswer(datagram, sender);
        if (datagram.length >= StunCodec.HEADER_BYTES) {
            decodeAndAnswer(repaired(datagram), sender);
        }
    }

    private static void decodeAndAnswer(byte[] bytes, InetSocketAddress sender) {
        // The datagram sits inside a larger buffer, as a slice of a receive buffer may.
        ByteBuffer buffer = ByteBuffer.allocate(bytes.length + 6);
        buffer.position(3);
        buffer.put(bytes);
        buffer.position(3).limit(3 + bytes.length);
        StunMessage message;
        try {
            message = StunCodec.decode(buffer);
        } catch (StunCodec.MalformedStunException e) {
            assertUntouched(buffer, bytes.length);
            return;
        }
        assertUntouched(buffer, bytes.length);
        assertArrayEquals(Arrays.copyOfRange(bytes, 8, 20), message.transactionId());

        Optional<ByteBuffer> answer = StunServerPolicy.answer(message, sender);
        boolean bindingRequest = message.method() == StunCodec.BINDING
                && message.messageClass() == StunMessage.MessageClass.REQUEST;
        assertEquals(bindingRequest, answer.isPresent(), () -> "answered iff a Binding request: " + message);
        if (answer.isPresent()) {
            assertWellFormedResponse(answer.get(), message);
        }
    }

    private static void assertUntouched(ByteBuffer buffer, int length) {
        assertEquals(3, buffer.position(), "decode moved the datagram's position");
        assertEquals(3 + length, buffer.limit(), "decode moved the datagram's limit");
    }

    private static void assertWellFormedResponse(ByteBuffer response, StunMessage request) {
        byte[] bytes = new byte[response.remaining()];
        response.duplicate().get(bytes);
        StunMessage parsed;
        try {
            parsed = StunCodec.decode(ByteBuffer.wrap(bytes));
        } catch (StunCodec.MalformedStunException e) {
            throw new AssertionError("the server's own answer to " + request + " is malformed: " + e.getMessage(), e);
        }
        assertEquals(StunCodec.BINDING, parsed.method());
        assertTrue(parsed.messageClass() == StunMessage.MessageClass.SUCCESS_RESPONSE
                || parsed.messageClass() == StunMessage.MessageClass.ERROR_RESPONSE, parsed::toString);
        assertArrayEquals(request.transactionId(), parsed.transactionId());
        ByteBuffer in = ByteBuffer.wrap(bytes);
        assertEquals(StunCodec.ATTR_FINGERPRINT, in.getShort(bytes.length - 8) & 0xFFFF, "answer ends with FINGERPRINT");
    }

    /**
     * {@code datagram} made to pass the header checks: top type bits cleared, magic cookie set, the body cut to a
     * multiple of 4 bytes (at most what a 16-bit length can count), a length that matches and a correct FINGERPRINT.
     */
    private static byte[] repaired(byte[] datagram) {
        int body = Math.min((datagram.length - StunCodec.HEADER_BYTES) & ~3, (0xFFFF - 8) & ~3);
        ByteBuffer out = ByteBuffer.allocate(StunCodec.HEADER_BYTES + body + 8);
        out.put(datagram, 0, StunCodec.HEADER_BYTES + body);
        out.putShort(0, (short) (out.getShort(0) & 0x3FFF));
        out.putShort(2, (short) (body + 8));
        out.putInt(4, StunCodec.MAGIC_COOKIE);
        CRC32 crc = new CRC32();
        crc.update(out.array(), 0, StunCodec.HEADER_BYTES + body);
        out.putShort((short) StunCodec.ATTR_FINGERPRINT).putShort((short) 4).putInt((int) crc.getValue() ^ 0x5354554E);
        return out.array();
    }

    private static InetSocketAddress sender(String literal, int port) {
        try {
            return new InetSocketAddress(InetAddress.getByName(literal), port);
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }
}
