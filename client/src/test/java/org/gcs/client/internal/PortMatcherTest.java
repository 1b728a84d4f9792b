package org.gcs.client.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class PortMatcherTest {
    @Test
    void pairsInEitherOrderByPort() {
        PortMatcher<String, String> m = new PortMatcher<>(4);
        assertInstanceOf(PortMatcher.Waiting.class, m.offerSocket(1000, "s1"));
        assertInstanceOf(PortMatcher.Waiting.class, m.offerOpened(2000, "o2"));
        assertEquals(new PortMatcher.Paired<>("s2", "o2"), m.offerSocket(2000, "s2"));
        assertEquals(new PortMatcher.Paired<>("s1", "o1"), m.offerOpened(1000, "o1"));
        assertEquals(0, m.waitingSockets());
        assertEquals(0, m.waitingReports());
    }

    @Test
    void boundsAndDuplicatesAreRejected() {
        PortMatcher<String, String> m = new PortMatcher<>(2);
        m.offerSocket(1, "a");
        assertInstanceOf(PortMatcher.Rejected.class, m.offerSocket(1, "again"));
        m.offerSocket(2, "b");
        assertInstanceOf(PortMatcher.Rejected.class, m.offerSocket(3, "c"));
        m.offerOpened(7, "x");
        assertInstanceOf(PortMatcher.Rejected.class, m.offerOpened(7, "y"));
    }

    @Test
    void dropRemovesOnlyTheSameWaiter() {
        PortMatcher<String, String> m = new PortMatcher<>(4);
        m.offerSocket(1, "a");
        assertFalse(m.dropSocket(1, "other"));
        assertTrue(m.dropSocket(1, "a"));
        assertFalse(m.dropSocket(1, "a"));
        m.offerOpened(5, "o");
        assertTrue(m.dropOpened(5, "o"));
        m.offerSocket(9, "z");
        assertEquals(List.of("z"), m.drainSockets());
        assertEquals(0, m.waitingSockets());
    }
}
