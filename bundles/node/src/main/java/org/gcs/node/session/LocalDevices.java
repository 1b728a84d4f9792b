package org.gcs.node.session;

import java.lang.System.Logger.Level;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.function.Supplier;
import org.gcs.api.UserId;
import org.gcs.api.routing.Router;
import org.gcs.node.stats.NodeStats;

/**
 * The devices logged in to this node. Each login attaches the device's {@link DeviceSession} to the {@link Router}
 * with its presence; each logout detaches it and forgets its connections. The router, not this class, notices a
 * second login of the same device (here or at another node) and tells the earlier session it was replaced. It also
 * keeps the per-user limits of {@link NodeLimits}: devices per user, connect rate and connects in flight.
 */
public final class LocalDevices {
    private static final System.Logger LOG = System.getLogger(LocalDevices.class.getName());

    private final Router router;
    private final ConnectionTable connections;
    private final NodeStats stats;
    private final NodeLimits limits;
    private final java.util.function.LongSupplier nanoClock;
    private final ConcurrentMap<DeviceSession, Boolean> sessions = new ConcurrentHashMap<>();
    private final ConcurrentMap<UserId, Set<DeviceSession>> byUser = new ConcurrentHashMap<>();
    private final ConcurrentMap<UserId, TokenBucket> connectRates = new ConcurrentHashMap<>();

    public LocalDevices(Router router, ConnectionTable connections, NodeStats stats) {
        this(router, connections, stats, NodeLimits.defaults(), System::nanoTime);
    }

    public LocalDevices(Router router, ConnectionTable connections, NodeStats stats, NodeLimits limits,
            java.util.function.LongSupplier nanoClock) {
        this.router = router;
        this.connections = connections;
        this.stats = stats;
        this.limits = limits;
        this.nanoClock = nanoClock;
    }

    public NodeLimits limits() {
        return limits;
    }

    /**
     * Why a device of {@code user} may not log in here now (its other devices fill the per-user limit), or null if
     * it may. A device logging in again (it replaces its earlier session) is not counted twice.
     */
    public String refuseLogin(UserId user, org.gcs.api.DeviceId device) {
        Set<DeviceSession> here = byUser.getOrDefault(user, Set.of());
        long others = here.stream().filter(s -> !s.endpoint().device().equals(device)).count();
        return others >= limits.devicesPerUser()
                ? user + " has " + others + " devices logged in at this node (limit " + limits.devicesPerUser() + ")"
                : null;
    }

    /**
     * Why {@code session} may not start another connect now (over its user's connect rate, or too many of its or its
     * user's connects in flight), or null if it may; a null answer has taken one token of the user's connect rate.
     */
    public String refuseConnect(DeviceSession session) {
        UserId user = session.endpoint().user();
        int device = session.connectsInFlight();
        if (device >= limits.connectsInFlightPerDevice()) {
            return session.endpoint() + " has " + device + " connects in flight (limit "
                    + limits.connectsInFlightPerDevice() + " per device)";
        }
        int total = byUser.getOrDefault(user, Set.of()).stream().mapToInt(DeviceSession::connectsInFlight).sum();
        if (total >= limits.connectsInFlightPerUser()) {
            return user + " has " + total + " connects in flight (limit " + limits.connectsInFlightPerUser() + " per user)";
        }
        TokenBucket rate = connectRates.computeIfAbsent(user,
                u -> new TokenBucket(limits.connectsBurst(), limits.connectsPerSecond(), nanoClock));
        if (!rate.tryTake()) {
            return user + " is over the connect rate (" + limits.connectsPerSecond() + " per second, burst "
                    + limits.connectsBurst() + ")";
        }
        return null;
    }

    /**
     * Adds a freshly authenticated device session.
     *
     * @return completes when the router has attached the device (its handlers know it is online here)
     */
    public CompletableFuture<Void> login(DeviceSession session) {
        sessions.put(session, Boolean.TRUE);
        byUser.computeIfAbsent(session.endpoint().user(), u -> ConcurrentHashMap.newKeySet()).add(session);
        stats.sessionOpened();
        return call(() -> router.attach(session.presence(), session));
    }

    /** Tells the router the device's friends policy changed. */
    public CompletableFuture<Void> update(DeviceSession session) {
        return call(() -> router.attach(session.presence(), session));
    }

    /** Removes a closed session, forgets its connections and detaches it from the router. */
    public void logout(DeviceSession session) {
        session.ended();
        if (sessions.remove(session) == null) {
            return;
        }
        UserId user = session.endpoint().user();
        byUser.computeIfPresent(user, (u, set) -> {
            set.remove(session);
            if (set.isEmpty()) {
                connectRates.remove(u);
                return null;
            }
            return set;
        });
        stats.sessionClosed();
        session.connections().forEach(connections::remove);
        call(() -> router.detach(session.endpoint(), session)).whenComplete((ok, failure) -> {
            if (failure != null) {
                LOG.log(Level.WARNING, "detach of " + session.endpoint() + " failed: " + Statuses.describe(failure));
            }
        });
    }

    /** The device sessions logged in here now, a copy. */
    public java.util.List<DeviceSession> sessions() {
        return java.util.List.copyOf(sessions.keySet());
    }

    /** How many device sessions are logged in here. */
    public int size() {
        return sessions.size();
    }

    /** Calls a service that should return a future; a throw or a null becomes a failed future. */
    static <T> CompletableFuture<T> call(Supplier<CompletableFuture<T>> call) {
        try {
            CompletableFuture<T> future = call.get();
            return future != null ? future : CompletableFuture.failedFuture(new IllegalStateException("service returned null"));
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }
}
