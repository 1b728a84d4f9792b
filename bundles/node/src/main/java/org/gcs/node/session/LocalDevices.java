package org.gcs.node.session;

import java.lang.System.Logger.Level;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.function.Supplier;
import org.gcs.api.routing.Router;
import org.gcs.node.stats.NodeStats;

/**
 * The devices logged in to this node. Each login attaches the device's {@link DeviceSession} to the {@link Router}
 * with its presence; each logout detaches it and forgets its connections. The router, not this class, notices a
 * second login of the same device (here or at another node) and tells the earlier session it was replaced.
 */
public final class LocalDevices {
    private static final System.Logger LOG = System.getLogger(LocalDevices.class.getName());

    private final Router router;
    private final ConnectionTable connections;
    private final NodeStats stats;
    private final ConcurrentMap<DeviceSession, Boolean> sessions = new ConcurrentHashMap<>();

    public LocalDevices(Router router, ConnectionTable connections, NodeStats stats) {
        this.router = router;
        this.connections = connections;
        this.stats = stats;
    }

    /**
     * Adds a freshly authenticated device session.
     *
     * @return completes when the router has attached the device (its handlers know it is online here)
     */
    public CompletableFuture<Void> login(DeviceSession session) {
        sessions.put(session, Boolean.TRUE);
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
        stats.sessionClosed();
        session.connections().forEach(connections::remove);
        call(() -> router.detach(session.endpoint(), session)).whenComplete((ok, failure) -> {
            if (failure != null) {
                LOG.log(Level.WARNING, "detach of " + session.endpoint() + " failed: " + Statuses.describe(failure));
            }
        });
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
