package org.gcs.auth.bns;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.util.Arrays;
import org.gcs.api.AuthenticationException;
import org.gcs.api.ProtocolException;
import org.junit.jupiter.api.Timeout;

/**
 * Fuzzes A signed hash (32 bytes) and a signature: the only failure is {@link AuthenticationException}; a recovered key is a compressed point. Seeds: {@code src/test/resources/org/gcs/auth/bns/SignatureFuzzTestInputs/signature/}.
 */
@Timeout(10)
class SignatureFuzzTest {
    @FuzzTest
    void signature(byte[] input) {
        if (input.length < 32) {
            return;
        }
        try {
            byte[] key = Secp256k1.recover(Arrays.copyOf(input, 32), Arrays.copyOfRange(input, 32, input.length));
            if (!Secp256k1.isCompressedPublicKey(key)) {
                throw new AssertionError("recovered a key that is not a compressed point");
            }
        } catch (AuthenticationException rejected) {
            // malformed or recovering nothing
        }
    }
}
