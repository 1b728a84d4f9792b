package org.gcs.auth.bns;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.util.Arrays;
import org.gcs.api.AuthenticationException;
import org.gcs.api.ProtocolException;
import org.junit.jupiter.api.Timeout;

/**
 * Fuzzes Owner addresses: the only failure is {@link IllegalArgumentException}; what parses prints back to itself. Seeds: {@code src/test/resources/org/gcs/auth/bns/StacksAddressFuzzTestInputs/address/}.
 */
@Timeout(10)
class StacksAddressFuzzTest {
    @FuzzTest
    void address(byte[] input) {
        String text = new String(input, java.nio.charset.StandardCharsets.ISO_8859_1);
        try {
            StacksAddress a = StacksAddress.parse(text);
            assertEquals(a, StacksAddress.parse(a.toString()));
        } catch (IllegalArgumentException rejected) {
            // not an address
        }
    }
}
