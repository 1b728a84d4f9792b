package org.gcs.api.routing;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.gcs.api.DeviceId;
import org.gcs.api.DeviceOfflineException;
import org.gcs.api.RefusedException;
import org.gcs.api.UnknownUserException;
import org.gcs.api.UserId;
import org.osgi.annotation.versioning.ProviderType;

/**
 * Routes control messages between users across GCS nodes. The node core attaches a {@link UserSink} for every user it
 * handles; the router finds the sink of any user, on this node (central) or on her handler node (distributed), and
 * hands it requests. Routers move addressed bytes only: they never parse payloads nor judge friendship.
 */
@ProviderType
public interface Router {
    /** Announces that this node handles {@code user} and that her requests go to {@code sink}; replaces an earlier sink. */
    CompletableFuture<Void> attach(UserId user, UserSink sink);

    /** Withdraws {@code sink} for {@code user}; does nothing if another sink has replaced it since. */
    CompletableFuture<Void> detach(UserId user, UserSink sink);

    /**
     * The devices of {@code target} that {@code requester} may see.
     *
     * @return the devices, or a future failed with {@link UnknownUserException} or {@link RefusedException}
     */
    CompletableFuture<List<DeviceId>> devices(UserId requester, UserId target);

    /**
     * Delivers {@code message} to the device it names.
     *
     * @return a future that completes when the handler node accepted the message for that device, or fails with
     *     {@link UnknownUserException}, {@link DeviceOfflineException} or {@link RefusedException}
     */
    CompletableFuture<Void> deliver(RoutedMessage message);
}
