package org.gcs.api.routing;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.gcs.api.DeviceId;
import org.gcs.api.UserId;
import org.osgi.annotation.versioning.ConsumerType;

/** The handler node's side of one user: her online devices and the door to them. Implemented by the node core. */
@ConsumerType
public interface UserSink {
    /** Her online devices that {@code requester} may see; fails with {@link org.gcs.api.RefusedException} if none. */
    CompletableFuture<List<DeviceId>> devicesVisibleTo(UserId requester);

    /** Hands {@code message} to the device it names; fails as {@link Router#deliver} does. */
    CompletableFuture<Void> deliver(RoutedMessage message);
}
