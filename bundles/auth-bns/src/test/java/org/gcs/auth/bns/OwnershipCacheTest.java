package org.gcs.auth.bns;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/** The cache and circuit in front of a name service, with a scripted service and a manual clock. */
class OwnershipCacheTest {
    private final AtomicLong now = new AtomicLong(1_000_000);
    private final AtomicInteger lookups = new AtomicInteger();

    private OwnershipCache cache(Supplier<CompletableFuture<NameRecord>> answer) {
        NameService service = new NameService() {
            @Override
            public CompletableFuture<NameRecord> lookup(BnsName name) {
                lookups.incrementAndGet();
                return answer.get();
            }

            @Override
            public String describe() {
                return "scripted service";
            }
        };
        return new OwnershipCache(service, 300_000, 100, 8, 3, 30_000, now::get);
    }

    private static NameServiceException failure(CompletableFuture<NameRecord> f) {
        ExecutionException e = assertThrows(ExecutionException.class, () -> f.get(5, TimeUnit.SECONDS));
        return assertInstanceOf(NameServiceException.class, e.getCause());
    }

    @Test
    void threeFailuresInARowOpenTheCircuitAndLookupsFailAtOnceUntilItCloses() {
        OwnershipCache c = cache(() -> CompletableFuture.failedFuture(new NameServiceException("down")));
        for (int i = 0; i < 3; i++) {
            failure(c.record(BnsName.parse("n" + i + ".id")));
        }
        NameServiceException open = failure(c.record(BnsName.parse("other.id")));
        assertTrue(open.getMessage().contains("name service unreachable"), open.getMessage());
        assertEquals(3, lookups.get(), "an open circuit asks nobody");
        now.addAndGet(30_001);
        failure(c.record(BnsName.parse("other.id")));
        assertEquals(4, lookups.get(), "asked again once the circuit closed");
    }

    /** The service's real answer about a name (a subdomain) is no sign that the service is down. */
    @Test
    void definiteAnswersNeverOpenTheCircuit() {
        OwnershipCache c = cache(() -> CompletableFuture.failedFuture(NameServiceException.refusal("a subdomain")));
        for (int i = 0; i < 10; i++) {
            assertTrue(failure(c.record(BnsName.parse("n" + i + ".id"))).definite());
        }
        assertEquals(10, lookups.get(), "every lookup reached the service");
    }
}
