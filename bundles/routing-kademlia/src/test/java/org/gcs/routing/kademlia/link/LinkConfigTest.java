package org.gcs.routing.kademlia.link;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class LinkConfigTest {
    @Test
    void defaultsAreTheDocumentedOnes() {
        LinkConfig config = LinkConfig.defaults();

        assertEquals(1024 * 1024, config.maxFrameBytes());
        assertEquals(Duration.ofSeconds(10), config.connectTimeout());
        assertEquals(Duration.ofSeconds(10), config.handshakeTimeout());
        assertEquals(Duration.ofSeconds(30), config.callTimeout());
        assertEquals(Duration.ofSeconds(30), config.handlerTimeout());
        assertEquals(1024, config.maxCallsInFlight());
        assertEquals(256, config.maxRequestsInService());
        assertEquals(1024, config.maxInboundLinks());
        assertEquals(Duration.ofSeconds(15), config.keepaliveInterval());
        assertEquals(Duration.ofSeconds(60), config.idleTimeout());
        assertEquals(4 * 1024 * 1024, config.maxWriteBufferBytes());
    }

    @Test
    void withReturnsAChangedCopy() {
        LinkConfig changed = LinkConfig.defaults().withMaxFrameBytes(2048).withCallTimeout(Duration.ofMillis(5));

        assertEquals(2048, changed.maxFrameBytes());
        assertEquals(Duration.ofMillis(5), changed.callTimeout());
        assertEquals(1024 * 1024, LinkConfig.defaults().maxFrameBytes());
    }

    @Test
    void invalidValuesAreRefused() {
        LinkConfig config = LinkConfig.defaults();
        assertThrows(IllegalArgumentException.class, () -> config.withMaxFrameBytes(100));
        assertThrows(IllegalArgumentException.class, () -> config.withMaxCallsInFlight(0));
        assertThrows(IllegalArgumentException.class, () -> config.withCallTimeout(Duration.ZERO));
        assertThrows(IllegalArgumentException.class, () -> config.withConnectTimeout(Duration.ofDays(2)));
        assertThrows(IllegalArgumentException.class, () -> config.withKeepalive(Duration.ofSeconds(5), Duration.ofSeconds(5)));
        assertThrows(IllegalArgumentException.class, () -> config.withMaxWriteBufferBytes(1000));
        assertThrows(NullPointerException.class, () -> config.withHandshakeTimeout(null));
    }
}
