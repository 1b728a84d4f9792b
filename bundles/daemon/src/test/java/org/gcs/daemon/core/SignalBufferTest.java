package org.gcs.daemon.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class SignalBufferTest {
    private final AtomicLong now = new AtomicLong();
    private final SignalBuffer buffer = new SignalBuffer(3, 2, 60, now::get);
    private final ByteString a = ByteString.copyFromUtf8("a");
    private final ByteString b = ByteString.copyFromUtf8("b");
    private final ByteString c = ByteString.copyFromUtf8("c");

    @Test
    void keepsInOrderUpToTheLimitAndDrainsOnce() {
        assertTrue(buffer.add(a, new byte[] {1}));
        assertTrue(buffer.add(a, new byte[] {2}));
        assertTrue(buffer.add(a, new byte[] {3}));
        assertFalse(buffer.add(a, new byte[] {4}));
        var drained = buffer.drain(a);
        assertEquals(3, drained.size());
        assertEquals(1, drained.get(0)[0]);
        assertEquals(3, drained.get(2)[0]);
        assertEquals(0, buffer.drain(a).size());
    }

    @Test
    void evictsTheOldestConnectionAndExpiresOldEntries() {
        buffer.add(a, new byte[] {1});
        now.set(10);
        buffer.add(b, new byte[] {1});
        buffer.add(c, new byte[] {1});
        assertEquals(0, buffer.drain(a).size());
        assertEquals(2, buffer.size());
        now.set(71);
        assertEquals(0, buffer.size());
        assertEquals(0, buffer.drain(b).size());
    }
}
