package org.gcs.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Optional;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import org.gcs.client.internal.Failures;
import org.junit.jupiter.api.Test;

class StatusTest {
    @Test
    void ofUnwrapsFutureFailures() {
        GcsConnectException e = new GcsConnectException(Status.REJECTED, "no");
        assertEquals(Optional.of(Status.REJECTED), Status.of(new ExecutionException(new CompletionException(e))));
        assertEquals(Optional.empty(), Status.of(new RuntimeException("x")));
        assertEquals(Optional.empty(), Status.of(null));
        assertEquals(Optional.of(Status.DEVICE_OFFLINE),
                Status.of(Failures.forStatus(Status.DEVICE_OFFLINE, "connect", "", true)));
    }

    @Test
    void optionsRejectNonPositiveDurations() {
        assertThrows(IllegalArgumentException.class, () -> ClientOptions.defaults().withOpenTimeout(java.time.Duration.ZERO));
        assertThrows(IllegalArgumentException.class, () -> ClientOptions.defaults().withRequestTimeout(null));
    }
}
