package org.gcs.daemon.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class ReplayGuardTest {
    private final AtomicLong now = new AtomicLong(1_000_000);
    private final ReplayGuard guard = new ReplayGuard(Duration.ofSeconds(120), 4, now::get);

    private static byte[] id(int n) {
        byte[] id = new byte[16];
        id[0] = (byte) n;
        return id;
    }

    @Test
    void freshOffersPassOnceAndRepeatsAreReplays() {
        assertNull(guard.check(id(1), now.get()));
        assertTrue(guard.check(id(1), now.get()).contains("replayed"));
        assertTrue(guard.check(id(1), now.get() + 5).contains("replayed"), "a new timestamp does not make an id new");
        assertNull(guard.check(id(2), now.get()));
    }

    @Test
    void windowIsTwoMinutesEitherWay() {
        assertNull(guard.check(id(1), now.get() - 120_000));
        assertTrue(guard.check(id(2), now.get() - 120_001).startsWith("stale"));
        assertNull(guard.check(id(3), now.get() + 120_000));
        assertTrue(guard.check(id(4), now.get() + 120_001).contains("future"));
    }

    @Test
    void anIdIsRememberedUntilItsOfferIsStaleAnyway() {
        long t = now.get();
        assertNull(guard.check(id(1), t));
        now.addAndGet(119_000);
        assertNotNull(guard.check(id(1), t), "still in the window: replay");
        now.addAndGet(2_000);
        assertTrue(guard.check(id(1), t).startsWith("stale"), "out of the window: stale, whether remembered or not");
    }

    @Test
    void fullGuardFailsClosedUntilOldIdsExpire() {
        long t = now.get();
        for (int i = 0; i < 4; i++) {
            assertNull(guard.check(id(i), t));
        }
        assertTrue(guard.check(id(9), t).contains("too many"));
        now.addAndGet(121_000);
        assertNull(guard.check(id(9), now.get()), "expired ids make room");
        assertEquals(1, guard.size());
    }
}
