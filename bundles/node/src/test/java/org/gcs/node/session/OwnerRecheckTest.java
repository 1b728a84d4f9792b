package org.gcs.node.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.channel.embedded.EmbeddedChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.gcs.api.AuthenticationException;
import org.gcs.api.DeviceId;
import org.gcs.api.IdentityUnavailableException;
import org.gcs.api.NodeId;
import org.gcs.api.UserId;
import org.gcs.api.auth.AuthProvider;
import org.gcs.api.routing.Endpoint;
import org.gcs.api.routing.FriendsPolicy;
import org.gcs.node.ice.IceServerDirectory;
import org.gcs.node.stats.NodeStats;
import org.gcs.routing.central.CentralRouter;
import org.junit.jupiter.api.Test;

/**
 * The re-verification of logged-in devices without sockets: every device is checked however many there are, a device
 * whose key lost its id is closed, one whose check cannot be made now stays, rounds do not overlap, and a device of a
 * scheme no provider serves is closed.
 */
class OwnerRecheckTest {
    private static final NodeId HERE = NodeId.fromHex("01".repeat(32));

    private final CentralRouter router = new CentralRouter();
    private final NodeStats stats = new NodeStats();
    private final AuthProviders providers = new AuthProviders();
    private final LocalDevices devices = new LocalDevices(router, new ConnectionTable(), stats,
            NodeLimits.defaults(), System::nanoTime);
    private final SessionContext context = new SessionContext(HERE, providers, router, devices, new ConnectionTable(),
            stats, IceServerDirectory.of(List.of()), Duration.ofSeconds(10), 65536);
    private final OwnerRecheck recheck = new OwnerRecheck(devices, providers, stats);

    OwnerRecheckTest() {
        router.start(new org.gcs.api.routing.NodeAddress(HERE, "127.0.0.1", 7000)).join();
    }

    /** A provider of {@code scheme} answering every check with {@code verdict}. */
    private static AuthProvider provider(String scheme, java.util.function.Function<UserId, CompletableFuture<Void>> verdict) {
        return new AuthProvider() {
            @Override
            public String scheme() {
                return scheme;
            }

            @Override
            public CompletableFuture<Void> verify(UserId user, byte[] publicKey, byte[] message, byte[] signature) {
                throw new UnsupportedOperationException();
            }

            @Override
            public CompletableFuture<Void> checkOwner(UserId user, byte[] publicKey) {
                return verdict.apply(user);
            }
        };
    }

    private List<EmbeddedChannel> logIn(String scheme, int count) throws Exception {
        List<EmbeddedChannel> channels = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            EmbeddedChannel channel = new EmbeddedChannel();
            DeviceSession s = new DeviceSession(new Endpoint(UserId.of(scheme, "u" + i), DeviceId.of("d")), channel,
                    FriendsPolicy.OPEN, context, new byte[] {1});
            devices.login(s).get(5, TimeUnit.SECONDS);
            s.welcomed();
            channels.add(channel);
        }
        return channels;
    }

    /** Answers that are ready at once (pk, a cached BNS answer) do not pile up on the stack, however many devices. */
    @Test
    void fiftyThousandDevicesWithImmediateAnswersAreAllChecked() throws Exception {
        providers.add(provider("pk", u -> CompletableFuture.completedFuture(null)), Map.of(AuthProvider.SCHEME_PROPERTY, "pk"));
        List<EmbeddedChannel> channels = logIn("pk", 50_000);
        recheck.checkAll().get(60, TimeUnit.SECONDS);
        assertEquals(50_000L, stats.snapshot().get("owners.rechecked"));
        assertTrue(channels.stream().allMatch(EmbeddedChannel::isActive));
    }

    @Test
    void aLostIdIsClosedAnUncheckableOneStaysAndRoundsDoNotOverlap() throws Exception {
        CompletableFuture<Void> slow = new CompletableFuture<>();
        AtomicInteger asked = new AtomicInteger();
        providers.add(provider("bns", u -> {
            asked.incrementAndGet();
            return switch (u.value()) {
                case "u0" -> CompletableFuture.failedFuture(new AuthenticationException("u0 is owned by someone else"));
                case "u1" -> CompletableFuture.failedFuture(new IdentityUnavailableException("name service unreachable"));
                default -> slow;
            };
        }), Map.of(AuthProvider.SCHEME_PROPERTY, "bns"));
        List<EmbeddedChannel> channels = logIn("bns", 3);
        CompletableFuture<Void> first = recheck.checkAll();
        assertFalse(first.isDone(), "u2's check is still running");
        assertSame(first, recheck.checkAll(), "no second round while the first runs");
        assertEquals(3, asked.get());
        slow.complete(null);
        first.get(5, TimeUnit.SECONDS);
        channels.forEach(EmbeddedChannel::runPendingTasks);
        assertFalse(channels.get(0).isActive(), "u0 lost her id: closed");
        assertTrue(channels.get(1).isActive(), "u1 could not be checked: stays");
        assertTrue(channels.get(2).isActive());
        assertEquals(1L, stats.snapshot().get("owners.lost"));
        recheck.checkAll().get(5, TimeUnit.SECONDS);
        assertTrue(asked.get() >= 5, "a new round once the last one ended");
    }

    @Test
    void aDeviceOfASchemeNoProviderServesIsClosedByTheNextRound() throws Exception {
        List<EmbeddedChannel> channels = logIn("bns", 2); // logged in as the provider went away
        recheck.checkAll().get(5, TimeUnit.SECONDS);
        channels.forEach(EmbeddedChannel::runPendingTasks);
        assertTrue(channels.stream().noneMatch(EmbeddedChannel::isActive));
        assertEquals(2L, stats.snapshot().get("sessions.closed.scheme.gone"));
    }
}
