package org.gcs.api.routing;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.gcs.api.DeviceId;
import org.gcs.api.UserId;
import org.osgi.annotation.versioning.ProviderType;

/**
 * Routes control messages between devices across GCS nodes; the routing backend of a node role. The node core keeps
 * the daemons' TLS sessions and hands the router one {@link DeviceSink} per logged-in device; the router keeps the
 * soft state of each user at her <em>handler</em> nodes (her devices' {@link Presence}, with their uploaded friends
 * policies), answers which handler nodes a user has, and carries messages to the node her device is attached to.
 *
 * <p>What every backend must do (checked by {@code org.gcs.contracts.RouterContract} on a cluster of its routers):
 * <ul>
 *   <li>Presence is per device: devices of one user may be attached to different nodes at once. Attaching a device
 *       that is attached elsewhere replaces that attachment ({@link DeviceSink#replaced}).
 *   <li>{@link #devices} and a {@link RoutedMessage.Kind#CONNECT_REQUEST} are decided by the target user's handler by
 *       {@link HandlerRules} over her presences: a requester her policies refuse learns nothing about her devices.
 *   <li>{@link #deliver} refuses a message whose sender is not attached to the message's origin node.
 *   <li>Every future completes, normally or with one of the exceptions named below, within a bounded time.
 * </ul>
 * Services register with property {@value #ROUTING} naming the backend ({@code central}, {@code kademlia}).
 */
@ProviderType
public interface Router {
    /** Service property: the backend's name. */
    String ROUTING = "gcs.routing";

    /**
     * Called by the node core once its daemon listener is bound: from now on this node is {@code self} (and, in a
     * distributed backend, joins the other nodes). Called again with a new address after a restart of the listener.
     */
    CompletableFuture<Void> start(NodeAddress self);

    /** The node core is stopping: the router withdraws this node's devices and leaves its cluster. */
    CompletableFuture<Void> stop();

    /**
     * The nodes that handle {@code user}, the most preferred first: the nodes her daemons should log in to. A node
     * core accepts a login only when it is one of them.
     */
    CompletableFuture<List<NodeAddress>> handlers(UserId user);

    /**
     * Records that a device is online at this node ({@code presence.node()} is this node) and that messages for it go
     * to {@code sink}. Attaching again with the same sink updates the presence (a new friends policy).
     */
    CompletableFuture<Void> attach(Presence presence, DeviceSink sink);

    /** Withdraws the attachment of {@code device} made with {@code sink}; does nothing if another sink replaced it. */
    CompletableFuture<Void> detach(Endpoint device, DeviceSink sink);

    /**
     * The online devices of {@code target} that {@code requester} may see, sorted.
     *
     * @return the devices, or a future failed with {@link org.gcs.api.UnknownUserException} (nobody online) or
     *     {@link org.gcs.api.RefusedException} (her policies refuse the requester)
     */
    CompletableFuture<List<DeviceId>> devices(Endpoint requester, UserId target);

    /**
     * Delivers {@code message} to the device it names, at whichever node it is attached.
     *
     * @return completes when the recipient's node accepted the message for that device, or fails with
     *     {@link org.gcs.api.UnknownUserException}, {@link org.gcs.api.DeviceOfflineException},
     *     {@link org.gcs.api.RefusedException} or {@link org.gcs.api.ProtocolException}
     */
    CompletableFuture<Void> deliver(RoutedMessage message);
}
