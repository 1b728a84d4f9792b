package org.gcs.routing.central;

import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.function.Function;
import org.gcs.api.DeviceId;
import org.gcs.api.UnknownUserException;
import org.gcs.api.UserId;
import org.gcs.api.routing.RoutedMessage;
import org.gcs.api.routing.Router;
import org.gcs.api.routing.UserSink;
import org.osgi.service.component.annotations.Component;

/**
 * The router of a single GCS node: every user is handled here, so routing is a lookup in an in-memory map from user
 * to her {@link UserSink}. Thread-safe; sink failures (refused, device offline) reach the caller unchanged.
 */
@Component(service = Router.class, property = "gcs.routing=central")
public final class CentralRouter implements Router {
    private static final System.Logger LOG = System.getLogger(CentralRouter.class.getName());

    private final ConcurrentMap<UserId, UserSink> sinks = new ConcurrentHashMap<>();

    @Override
    public CompletableFuture<Void> attach(UserId user, UserSink sink) {
        Objects.requireNonNull(user, "user");
        Objects.requireNonNull(sink, "sink");
        UserSink previous = sinks.put(user, sink);
        LOG.log(System.Logger.Level.DEBUG, () -> (previous == null ? "attached " : "re-attached ") + user);
        return CompletableFuture.completedFuture(null);
    }

    @Override
    public CompletableFuture<Void> detach(UserId user, UserSink sink) {
        Objects.requireNonNull(user, "user");
        Objects.requireNonNull(sink, "sink");
        if (sinks.remove(user, sink)) {
            LOG.log(System.Logger.Level.DEBUG, () -> "detached " + user);
        }
        return CompletableFuture.completedFuture(null);
    }

    @Override
    public CompletableFuture<List<DeviceId>> devices(UserId requester, UserId target) {
        Objects.requireNonNull(requester, "requester");
        return withSink(target, sink -> sink.devicesVisibleTo(requester));
    }

    @Override
    public CompletableFuture<Void> deliver(RoutedMessage message) {
        return withSink(message.toUser(), sink -> sink.deliver(message));
    }

    /** Applies {@code call} to the sink of {@code user}; a missing user or a sink that throws gives a failed future. */
    private <T> CompletableFuture<T> withSink(UserId user, Function<UserSink, CompletableFuture<T>> call) {
        UserSink sink = sinks.get(Objects.requireNonNull(user, "user"));
        if (sink == null) {
            return CompletableFuture.failedFuture(new UnknownUserException("no user " + user + " is online at this node"));
        }
        try {
            CompletableFuture<T> answer = call.apply(sink);
            return answer != null ? answer
                    : CompletableFuture.failedFuture(new IllegalStateException("sink of " + user + " answered null"));
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }
}
