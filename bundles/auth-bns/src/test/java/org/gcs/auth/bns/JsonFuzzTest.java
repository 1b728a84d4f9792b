package org.gcs.auth.bns;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.util.Arrays;
import org.gcs.api.AuthenticationException;
import org.gcs.api.ProtocolException;
import org.junit.jupiter.api.Timeout;

/**
 * Fuzzes JSON answers of name services: the only failure is {@link NameServiceException}. Seeds: {@code src/test/resources/org/gcs/auth/bns/JsonFuzzTestInputs/json/}.
 */
@Timeout(10)
class JsonFuzzTest {
    @FuzzTest
    void json(byte[] input) {
        try {
            Json.object(input, "fuzz");
        } catch (NameServiceException rejected) {
            // likewise
        }
    }
}
