package org.gcs.contracts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.gcs.api.DeviceId;
import org.gcs.api.DeviceOfflineException;
import org.gcs.api.RefusedException;
import org.gcs.api.UnknownUserException;
import org.gcs.api.UserId;
import org.gcs.api.routing.RoutedMessage;
import org.gcs.api.routing.Router;
import org.gcs.api.routing.UserSink;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What every {@link Router} must do, seen from one node: attach, replace and detach sinks, and hand {@code devices} and
 * {@code deliver} to the sink of the addressed user, passing its failures through unchanged.
 *
 * <pre>{@code
 * class CentralRouterTest extends RouterContract {
 *     protected Router newRouter() { return new CentralRouter(); }
 * }
 * }</pre>
 */
public abstract class RouterContract {
    private static final long TIMEOUT_SECONDS = 5;

    protected static final UserId ALICE = UserId.of("pk", "alice");
    protected static final UserId BOB = UserId.of("pk", "bob");
    protected static final DeviceId LAPTOP = DeviceId.of("laptop");
    protected static final DeviceId PHONE = DeviceId.of("phone");

    private Router router;

    /** A fresh router with no user attached. */
    protected abstract Router newRouter();

    @BeforeEach
    void createRouter() {
        router = newRouter();
    }

    @Test
    void devicesOfUnknownUserFailWithUnknownUser() {
        assertFailsWith(UnknownUserException.class, router.devices(ALICE, BOB));
    }

    @Test
    void deliverToUnknownUserFailsWithUnknownUser() {
        assertFailsWith(UnknownUserException.class, router.deliver(message(ALICE, BOB, PHONE, "hi")));
    }

    @Test
    void devicesAreAnsweredByTheAttachedSinkForTheRequester() {
        RecordingSink bobSink = new RecordingSink(requester -> List.of(LAPTOP, PHONE));
        await(router.attach(BOB, bobSink));

        assertEquals(List.of(LAPTOP, PHONE), await(router.devices(ALICE, BOB)));
        assertEquals(List.of(ALICE), bobSink.requesters);
    }

    @Test
    void deliverHandsTheMessageToTheAttachedSinkUnchanged() {
        RecordingSink bobSink = new RecordingSink(requester -> List.of(PHONE));
        await(router.attach(BOB, bobSink));
        RoutedMessage message = message(ALICE, BOB, PHONE, "connect");

        await(router.deliver(message));

        assertEquals(List.of(message), bobSink.delivered);
    }

    @Test
    void messagesGoOnlyToTheAddressedUsersSink() {
        RecordingSink aliceSink = new RecordingSink(requester -> List.of(LAPTOP));
        RecordingSink bobSink = new RecordingSink(requester -> List.of(PHONE));
        await(router.attach(ALICE, aliceSink));
        await(router.attach(BOB, bobSink));

        await(router.deliver(message(ALICE, BOB, PHONE, "to bob")));

        assertEquals(1, bobSink.delivered.size());
        assertTrue(aliceSink.delivered.isEmpty());
    }

    @Test
    void attachReplacesTheEarlierSink() {
        RecordingSink first = new RecordingSink(requester -> List.of(LAPTOP));
        RecordingSink second = new RecordingSink(requester -> List.of(PHONE));
        await(router.attach(BOB, first));
        await(router.attach(BOB, second));

        assertEquals(List.of(PHONE), await(router.devices(ALICE, BOB)));
        await(router.deliver(message(ALICE, BOB, PHONE, "after replace")));
        assertTrue(first.delivered.isEmpty());
        assertEquals(1, second.delivered.size());
    }

    @Test
    void detachRemovesTheUser() {
        RecordingSink bobSink = new RecordingSink(requester -> List.of(PHONE));
        await(router.attach(BOB, bobSink));
        await(router.detach(BOB, bobSink));

        assertFailsWith(UnknownUserException.class, router.devices(ALICE, BOB));
        assertFailsWith(UnknownUserException.class, router.deliver(message(ALICE, BOB, PHONE, "gone")));
        assertTrue(bobSink.delivered.isEmpty());
    }

    @Test
    void detachOfAReplacedSinkKeepsTheNewOne() {
        RecordingSink stale = new RecordingSink(requester -> List.of(LAPTOP));
        RecordingSink current = new RecordingSink(requester -> List.of(PHONE));
        await(router.attach(BOB, stale));
        await(router.attach(BOB, current));

        await(router.detach(BOB, stale));

        assertEquals(List.of(PHONE), await(router.devices(ALICE, BOB)));
    }

    @Test
    void detachOfAUserNeverAttachedIsHarmless() {
        await(router.detach(BOB, new RecordingSink(requester -> List.of())));
        assertFailsWith(UnknownUserException.class, router.devices(ALICE, BOB));
    }

    @Test
    void refusalFromTheSinkReachesTheCaller() {
        UserSink refusing = new FailingSink(new RefusedException("not a friend"));
        await(router.attach(BOB, refusing));

        assertFailsWith(RefusedException.class, router.devices(ALICE, BOB));
        assertFailsWith(RefusedException.class, router.deliver(message(ALICE, BOB, PHONE, "refused")));
    }

    @Test
    void offlineDeviceFromTheSinkReachesTheCaller() {
        UserSink offline = new FailingSink(new DeviceOfflineException("phone is offline"));
        await(router.attach(BOB, offline));

        assertFailsWith(DeviceOfflineException.class, router.deliver(message(ALICE, BOB, PHONE, "offline")));
    }

    @Test
    void aSinkThatThrowsInsteadOfFailingTheFutureStillFailsTheFuture() {
        UserSink throwing = new UserSink() {
            @Override
            public CompletableFuture<List<DeviceId>> devicesVisibleTo(UserId requester) {
                throw new RefusedException("thrown, not returned");
            }

            @Override
            public CompletableFuture<Void> deliver(RoutedMessage message) {
                throw new DeviceOfflineException("thrown, not returned");
            }
        };
        await(router.attach(BOB, throwing));

        assertFailsWith(RefusedException.class, router.devices(ALICE, BOB));
        assertFailsWith(DeviceOfflineException.class, router.deliver(message(ALICE, BOB, PHONE, "throws")));
    }

    protected static RoutedMessage message(UserId from, UserId to, DeviceId toDevice, String text) {
        return new RoutedMessage(from, LAPTOP, to, toDevice, text.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    protected static <T> T await(CompletableFuture<T> future) {
        try {
            return future.get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new AssertionError("future did not complete normally", e);
        }
    }

    /** Asserts that {@code future} fails (in time) with a cause of {@code type}, looking through completion wrappers. */
    protected static <E extends Throwable> E assertFailsWith(Class<E> type, CompletableFuture<?> future) {
        ExecutionException failure = assertThrows(ExecutionException.class,
                () -> future.get(TIMEOUT_SECONDS, TimeUnit.SECONDS));
        Throwable cause = failure.getCause();
        while (cause instanceof CompletionException && cause.getCause() != null) {
            cause = cause.getCause();
        }
        return assertInstanceOf(type, cause);
    }

    /** A sink that records what it was asked and answers devices from a function. */
    protected static final class RecordingSink implements UserSink {
        final List<UserId> requesters = new CopyOnWriteArrayList<>();
        final List<RoutedMessage> delivered = new CopyOnWriteArrayList<>();
        private final Function<UserId, List<DeviceId>> devices;

        RecordingSink(Function<UserId, List<DeviceId>> devices) {
            this.devices = devices;
        }

        @Override
        public CompletableFuture<List<DeviceId>> devicesVisibleTo(UserId requester) {
            requesters.add(requester);
            return CompletableFuture.completedFuture(devices.apply(requester));
        }

        @Override
        public CompletableFuture<Void> deliver(RoutedMessage message) {
            delivered.add(message);
            return CompletableFuture.completedFuture(null);
        }
    }

    /** A sink whose every answer fails with one exception. */
    private static final class FailingSink implements UserSink {
        private final RuntimeException failure;

        FailingSink(RuntimeException failure) {
            this.failure = failure;
        }

        @Override
        public CompletableFuture<List<DeviceId>> devicesVisibleTo(UserId requester) {
            return CompletableFuture.failedFuture(failure);
        }

        @Override
        public CompletableFuture<Void> deliver(RoutedMessage message) {
            return CompletableFuture.failedFuture(failure);
        }
    }
}
