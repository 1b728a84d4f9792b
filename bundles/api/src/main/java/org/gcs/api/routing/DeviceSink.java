package org.gcs.api.routing;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.gcs.api.NodeId;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * The door to one device logged in to this node, implemented by the node core and handed to the {@link Router} with
 * the device's {@link Presence}. The router calls it for messages addressed to that device, whichever node they came
 * from. The node core checks each message against the connections it recorded for the device before the device hears
 * it.
 */
@ConsumerType
public interface DeviceSink {
    /**
     * Hands {@code message} to the device.
     *
     * @return completes when the frame is queued to the device; fails with {@link org.gcs.api.DeviceOfflineException}
     *     when the device is gone, {@link org.gcs.api.RefusedException} when its friends policy refuses the sender,
     *     {@link org.gcs.api.ProtocolException} when the message does not belong to a connection of this device
     */
    CompletableFuture<Void> deliver(RoutedMessage message);

    /** The same user and device logged in again (at node {@code where}): this attachment is over. */
    void replaced(NodeId where);

    /**
     * The user's handlers changed (a closer node joined): the device should log in at one of {@code handlers}. The
     * node core tells the daemon and lets it move once its connects in flight have ended.
     */
    void moveTo(List<NodeAddress> handlers);
}
