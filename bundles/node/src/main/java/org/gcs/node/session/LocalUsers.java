package org.gcs.node.session;

import java.lang.System.Logger.Level;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.gcs.api.UserId;
import org.gcs.api.routing.Router;
import org.gcs.node.stats.NodeStats;

/**
 * The users this node handles and their logged-in devices. The first device of a user attaches her {@link LocalUser}
 * sink to the {@link Router}, the last one to leave detaches it. Since the router detaches only the very sink it is
 * given, a new login racing with the last logout simply attaches a fresh sink.
 */
public final class LocalUsers {
    private static final System.Logger LOG = System.getLogger(LocalUsers.class.getName());

    private final Router router;
    private final ConnectionTable connections;
    private final NodeStats stats;
    private final Map<UserId, LocalUser> users = new HashMap<>();

    public LocalUsers(Router router, ConnectionTable connections, NodeStats stats) {
        this.router = router;
        this.connections = connections;
        this.stats = stats;
    }

    /**
     * Adds a freshly authenticated device session, replacing (and closing) an earlier session of the same device.
     *
     * @return completes when the user's sink is attached to the router
     */
    public CompletableFuture<Void> login(DeviceSession session) {
        UserId id = session.endpoint().user();
        LocalUser user;
        boolean created;
        Optional<DeviceSession> replaced;
        synchronized (this) {
            user = users.get(id);
            created = user == null;
            if (created) {
                user = new LocalUser(id, connections, stats);
                users.put(id, user);
            }
            replaced = user.put(session);
        }
        stats.sessionOpened();
        replaced.ifPresent(DeviceSession::replaced);
        if (created) {
            attach(user);
        }
        return user.attached;
    }

    /** Removes a closed session and forgets its connections; detaches the user when it was her last device. */
    public void logout(DeviceSession session) {
        UserId id = session.endpoint().user();
        LocalUser detached = null;
        synchronized (this) {
            LocalUser user = users.get(id);
            if (user == null || !user.remove(session)) {
                return;
            }
            if (user.isEmpty()) {
                users.remove(id);
                detached = user;
            }
        }
        stats.sessionClosed();
        session.connections().forEach(connections::remove);
        if (detached != null) {
            LocalUser user = detached;
            call(() -> router.detach(id, user)).whenComplete((ok, failure) -> {
                if (failure != null) {
                    LOG.log(Level.WARNING, "detach of " + id + " failed: " + Statuses.describe(failure));
                }
            });
        }
    }

    /** How many users have at least one device logged in here. */
    public synchronized int size() {
        return users.size();
    }

    private void attach(LocalUser user) {
        call(() -> router.attach(user.user(), user)).whenComplete((ok, failure) -> {
            if (failure != null) {
                user.attached.completeExceptionally(Statuses.unwrap(failure));
            } else {
                user.attached.complete(null);
            }
        });
    }

    /** Calls a service that should return a future; a throw or a null becomes a failed future. */
    static <T> CompletableFuture<T> call(java.util.function.Supplier<CompletableFuture<T>> call) {
        try {
            CompletableFuture<T> future = call.get();
            return future != null ? future : CompletableFuture.failedFuture(new IllegalStateException("service returned null"));
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }
}
