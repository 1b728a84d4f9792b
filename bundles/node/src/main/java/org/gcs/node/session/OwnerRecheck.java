package org.gcs.node.session;

import java.lang.System.Logger.Level;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.gcs.api.AuthenticationException;
import org.gcs.api.IdentityUnavailableException;
import org.gcs.api.auth.AuthProvider;
import org.gcs.api.wire.NodeWire.ErrorCode;
import org.gcs.node.stats.NodeStats;

/**
 * Keeps logged-in devices honest after their login: a user id can move to another key (a BNS name transferred, expired
 * or revoked), and the provider that verifies a scheme can be stopped or replaced while the node runs.
 *
 * <ul>
 * <li>{@link #checkAll()}, every {@code reverify.seconds}: asks the scheme's provider whether each device's login key
 * still owns its user id ({@link AuthProvider#checkOwner}, the cacheable half of a login: no signature, and for BNS an
 * HTTP lookup only when the provider's cache entry has expired). A device whose key no longer owns its id is
 * disconnected with {@code AUTH_FAILED} and the provider's reason; one that cannot be checked now (the name service is
 * unreachable) stays. A round runs at most {@link #IN_FLIGHT} checks at once, and a round is skipped while the last
 * one still runs, so that thousands of devices never flood a name service. A device whose scheme no provider serves
 * any more (it logged in just as the provider went away) is disconnected as {@link #providerRemoved} does.</li>
 * <li>{@link #providerRemoved}: when no provider serves a scheme any more, its devices are disconnected with
 * {@code UNKNOWN_SCHEME} and why; when another provider still serves it, its devices are checked with that one.</li>
 * </ul>
 */
public final class OwnerRecheck {
    private static final System.Logger LOG = System.getLogger(OwnerRecheck.class.getName());
    /** Checks in flight at most. */
    static final int IN_FLIGHT = 8;
    /** A check that takes longer counts as "cannot check now". */
    static final long CHECK_TIMEOUT_SECONDS = 30;

    private final LocalDevices devices;
    private final AuthProviders providers;
    private final NodeStats stats;
    private final java.util.concurrent.atomic.AtomicReference<CompletableFuture<Void>> round =
            new java.util.concurrent.atomic.AtomicReference<>(CompletableFuture.completedFuture(null));

    public OwnerRecheck(LocalDevices devices, AuthProviders providers, NodeStats stats) {
        this.devices = devices;
        this.providers = providers;
        this.stats = stats;
    }

    /**
     * Checks every device logged in now, unless the last round still runs; completes when all checks ended (never
     * exceptionally). Never throws: a scheduler calling it every interval keeps calling it.
     */
    public CompletableFuture<Void> checkAll() {
        CompletableFuture<Void> last = round.get();
        if (!last.isDone()) {
            LOG.log(Level.DEBUG, "owner recheck: the last round still runs; this one is skipped");
            return last;
        }
        CompletableFuture<Void> next = new CompletableFuture<>();
        if (!round.compareAndSet(last, next)) {
            return round.get();
        }
        try {
            check(devices.sessions()).whenComplete((v, e) -> next.complete(null));
        } catch (Throwable e) {
            LOG.log(Level.WARNING, "owner recheck failed: " + e);
            next.complete(null);
        }
        return next;
    }

    /** The provider of {@code scheme} went away: disconnects its devices if none is left, else checks them again. */
    public CompletableFuture<Void> providerRemoved(String scheme) {
        List<DeviceSession> affected = devices.sessions().stream()
                .filter(s -> s.endpoint().user().scheme().equals(scheme)).toList();
        if (providers.forScheme(scheme).isPresent()) {
            return check(affected);
        }
        affected.forEach(OwnerRecheck.this::schemeGone);
        if (!affected.isEmpty()) {
            LOG.log(Level.INFO, affected.size() + " devices of scheme " + scheme + " disconnected: no provider serves it");
        }
        return CompletableFuture.completedFuture(null);
    }

    private void schemeGone(DeviceSession session) {
        String scheme = session.endpoint().user().scheme();
        stats.schemeGoneClosed();
        session.disconnect(ErrorCode.UNKNOWN_SCHEME, "this node stopped verifying scheme " + scheme
                + " (its authentication provider was removed or is being updated); log in again later");
    }

    private CompletableFuture<Void> check(List<DeviceSession> sessions) {
        Iterator<DeviceSession> queue = sessions.iterator();
        CompletableFuture<?>[] lanes = new CompletableFuture<?>[Math.min(IN_FLIGHT, Math.max(1, sessions.size()))];
        for (int i = 0; i < lanes.length; i++) {
            CompletableFuture<Void> lane = new CompletableFuture<>();
            lanes[i] = lane;
            runLane(queue, lane);
        }
        return CompletableFuture.allOf(lanes);
    }

    /**
     * Checks the queue's sessions one after another in a loop while their checks complete at once (pk, or a cached BNS
     * answer), and continues from the completing thread when one has to wait: the stack never grows with the number
     * of sessions. Several lanes share the queue.
     */
    private void runLane(Iterator<DeviceSession> queue, CompletableFuture<Void> lane) {
        while (true) {
            DeviceSession session;
            synchronized (queue) {
                if (!queue.hasNext()) {
                    lane.complete(null);
                    return;
                }
                session = queue.next();
            }
            CompletableFuture<Void> check = checkOne(session);
            if (!check.isDone()) {
                check.whenComplete((v, e) -> runLane(queue, lane));
                return;
            }
        }
    }

    /** One device's check; never throws, and its future never fails. */
    private CompletableFuture<Void> checkOne(DeviceSession session) {
        try {
            return checkOwner(session);
        } catch (Throwable e) {
            LOG.log(Level.WARNING, "owner recheck of " + session.endpoint() + " failed: " + e);
            return CompletableFuture.completedFuture(null);
        }
    }

    private CompletableFuture<Void> checkOwner(DeviceSession session) {
        String scheme = session.endpoint().user().scheme();
        AuthProvider provider = providers.forScheme(scheme).orElse(null);
        if (provider == null) {
            schemeGone(session); // it logged in while its provider went away
            return CompletableFuture.completedFuture(null);
        }
        CompletableFuture<Void> verdict = LocalDevices.call(() -> provider.checkOwner(session.endpoint().user(),
                session.publicKey())).copy().orTimeout(CHECK_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        return verdict.handle((ok, failure) -> {
            Throwable cause = failure == null ? null : Statuses.unwrap(failure);
            boolean lost = cause instanceof AuthenticationException && !(cause instanceof IdentityUnavailableException);
            stats.ownerRechecked(lost);
            if (lost) {
                session.disconnect(ErrorCode.AUTH_FAILED, session.endpoint().user() + " is no longer this key's: "
                        + cause.getMessage());
            } else if (cause != null) {
                LOG.log(Level.DEBUG, () -> "owner of " + session.endpoint() + " not checked now: " + Statuses.describe(cause));
            }
            return null;
        });
    }
}
