package org.gcs.auth.bns;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.util.Arrays;
import org.gcs.api.AuthenticationException;
import org.gcs.api.ProtocolException;
import org.junit.jupiter.api.Timeout;

/**
 * Fuzzes Clarity answers of read-only calls: the only failure is {@link ProtocolException}. Seeds: {@code src/test/resources/org/gcs/auth/bns/ClarityFuzzTestInputs/clarity/}.
 */
@Timeout(10)
class ClarityFuzzTest {
    @FuzzTest
    void clarity(byte[] input) {
        try {
            Clarity.decode(input);
        } catch (ProtocolException rejected) {
            // the documented answer to malformed bytes
        }
    }
}
