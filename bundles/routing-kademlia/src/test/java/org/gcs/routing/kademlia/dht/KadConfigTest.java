package org.gcs.routing.kademlia.dht;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class KadConfigTest {
    @Test
    void defaultsAreTheDocumentedOnes() {
        KadConfig c = KadConfig.defaults();
        assertEquals(20, c.k());
        assertEquals(3, c.alpha());
        assertEquals(3_600_000, c.refreshIntervalMillis());
        assertEquals(2, c.maxPerGroupPerBucket());
        assertEquals(1, c.maxPerGroupPerResult());
    }

    @Test
    void withersValidateAndLeaveTheOriginalAlone() {
        KadConfig c = KadConfig.defaults();
        assertEquals(8, c.withK(8).k());
        assertEquals(20, c.k());
        assertThrows(IllegalArgumentException.class, () -> c.withK(0));
        assertThrows(IllegalArgumentException.class, () -> c.withAlpha(0));
        assertThrows(IllegalArgumentException.class, () -> c.withMaxPerGroupPerBucket(-1));
        assertThrows(IllegalArgumentException.class, () -> c.withCacheTtlBoundsMillis(10, 5));
        assertThrows(IllegalArgumentException.class, () -> c.withRateLimit(10, Double.NaN));
    }
}
