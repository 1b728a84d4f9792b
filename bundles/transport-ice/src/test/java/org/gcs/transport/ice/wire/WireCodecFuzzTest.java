package org.gcs.transport.ice.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import org.gcs.api.ProtocolException;
import org.junit.jupiter.api.Timeout;

/**
 * Fuzzes what a peer's signaling reaches: {@link WireCodec#decodeDescription} and {@link WireCodec#decodeSignal}, both
 * on every input. Properties: each returns a valid value or throws {@link ProtocolException}, its documented
 * rejection, and nothing else; a decoded value encodes within the size limit and decodes back to an equal value.
 * Hangs are caught by the per-input {@link Timeout}. Seeds:
 * {@code src/test/resources/org/gcs/transport/ice/wire/WireCodecFuzzTestInputs/decode/}.
 */
@Timeout(10)
class WireCodecFuzzTest {
    @FuzzTest
    void decode(byte[] message) {
        Description description = null;
        try {
            description = WireCodec.decodeDescription(message);
        } catch (ProtocolException rejected) {
            // the documented answer to bytes that are not a description
        }
        if (description != null) {
            byte[] encoded = WireCodec.encode(description);
            assertTrue(encoded.length <= WireCodec.MAX_DESCRIPTION_BYTES, () -> encoded.length + " bytes");
            assertEquals(description, WireCodec.decodeDescription(encoded));
        }

        Signal signal = null;
        try {
            signal = WireCodec.decodeSignal(message);
        } catch (ProtocolException rejected) {
            // the documented answer to bytes that are not a signal
        }
        if (signal != null) {
            byte[] encoded = WireCodec.encode(signal);
            assertTrue(encoded.length <= WireCodec.MAX_SIGNAL_BYTES, () -> encoded.length + " bytes");
            assertEquals(signal, WireCodec.decodeSignal(encoded));
        }
    }
}
