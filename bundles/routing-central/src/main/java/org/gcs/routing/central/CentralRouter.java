package org.gcs.routing.central;

import java.lang.System.Logger.Level;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.function.Supplier;
import org.gcs.api.DeviceId;
import org.gcs.api.DeviceOfflineException;
import org.gcs.api.NodeId;
import org.gcs.api.ProtocolException;
import org.gcs.api.UnknownUserException;
import org.gcs.api.UserId;
import org.gcs.api.routing.DeviceSink;
import org.gcs.api.routing.Endpoint;
import org.gcs.api.routing.HandlerRules;
import org.gcs.api.routing.NodeAddress;
import org.gcs.api.routing.Presence;
import org.gcs.api.routing.RoutedMessage;
import org.gcs.api.routing.Router;
import org.osgi.service.component.annotations.Component;

/**
 * The router of a single GCS node: every user is handled here, so the user directory is an in-memory map from user to
 * her online devices and their sinks, and every message is delivered locally. A cluster of central nodes does not
 * exist: {@link #attach} of a device at another node and a message from another node are refused. Thread-safe; the
 * sinks are called on the caller's thread.
 */
@Component(service = Router.class, property = Router.ROUTING + "=central")
public final class CentralRouter implements Router {
    private static final System.Logger LOG = System.getLogger(CentralRouter.class.getName());

    /** One online device: what the handler knows of it and its door. */
    private record Attachment(Presence presence, DeviceSink sink) {
    }

    private final ConcurrentMap<UserId, Map<DeviceId, Attachment>> users = new ConcurrentHashMap<>();
    private volatile NodeAddress self;

    @Override
    public CompletableFuture<Void> start(NodeAddress address) {
        self = Objects.requireNonNull(address, "address");
        LOG.log(Level.DEBUG, () -> "central router serving node " + address);
        return CompletableFuture.completedFuture(null);
    }

    @Override
    public CompletableFuture<Void> stop() {
        users.clear();
        return CompletableFuture.completedFuture(null);
    }

    @Override
    public CompletableFuture<List<NodeAddress>> handlers(UserId user) {
        Objects.requireNonNull(user, "user");
        NodeAddress node = self;
        return node == null ? CompletableFuture.failedFuture(new IllegalStateException("router not started"))
                : CompletableFuture.completedFuture(List.of(node));
    }

    @Override
    public CompletableFuture<Void> attach(Presence presence, DeviceSink sink) {
        return call(() -> {
            Objects.requireNonNull(sink, "sink");
            requireThisNode(presence.node(), "attach");
            Endpoint device = presence.device();
            Attachment[] replaced = new Attachment[1];
            users.compute(device.user(), (user, devices) -> {
                Map<DeviceId, Attachment> map = devices != null ? devices : new ConcurrentHashMap<>();
                Attachment previous = map.put(device.device(), new Attachment(presence, sink));
                if (previous != null && previous.sink() != sink) {
                    replaced[0] = previous;
                }
                return map;
            });
            if (replaced[0] != null) {
                LOG.log(Level.DEBUG, () -> device + " attached again: earlier attachment replaced");
                replaced[0].sink().replaced(presence.node());
            }
            return CompletableFuture.completedFuture(null);
        });
    }

    @Override
    public CompletableFuture<Void> detach(Endpoint device, DeviceSink sink) {
        Objects.requireNonNull(device, "device");
        Objects.requireNonNull(sink, "sink");
        users.computeIfPresent(device.user(), (user, devices) -> {
            devices.computeIfPresent(device.device(), (d, attachment) -> attachment.sink() == sink ? null : attachment);
            return devices.isEmpty() ? null : devices;
        });
        return CompletableFuture.completedFuture(null);
    }

    @Override
    public CompletableFuture<List<DeviceId>> devices(Endpoint requester, UserId target) {
        Objects.requireNonNull(requester, "requester");
        Objects.requireNonNull(target, "target");
        return call(() -> CompletableFuture.completedFuture(
                HandlerRules.visibleDevices(target, presences(target), requester.user())));
    }

    @Override
    public CompletableFuture<Void> deliver(RoutedMessage message) {
        return call(() -> {
            requireThisNode(message.origin(), "message");
            if (attachment(message.from()) == null) {
                throw new ProtocolException("sender " + message.from() + " is not attached to node " + message.origin());
            }
            Endpoint to = message.to();
            Attachment target;
            if (message.kind() == RoutedMessage.Kind.CONNECT_REQUEST) {
                Presence admitted = HandlerRules.admitConnect(presences(to.user()), message.from(), to);
                target = attachment(admitted.device());
            } else {
                if (!users.containsKey(to.user())) {
                    throw new UnknownUserException("no user " + to.user() + " is online at this node");
                }
                target = attachment(to);
            }
            if (target == null) {
                throw new DeviceOfflineException(to + " is not online");
            }
            return target.sink().deliver(message);
        });
    }

    private List<Presence> presences(UserId user) {
        Map<DeviceId, Attachment> devices = users.get(user);
        return devices == null ? List.of() : devices.values().stream().map(Attachment::presence).toList();
    }

    private Attachment attachment(Endpoint device) {
        Map<DeviceId, Attachment> devices = users.get(device.user());
        return devices == null ? null : devices.get(device.device());
    }

    private void requireThisNode(NodeId node, String what) {
        NodeAddress address = self;
        if (address == null) {
            throw new IllegalStateException("router not started");
        }
        if (!address.id().equals(node)) {
            throw new ProtocolException(what + " from node " + node + ": a central router serves only its own node");
        }
    }

    /** Runs {@code call}; a throw or a null becomes a failed future. */
    private static <T> CompletableFuture<T> call(Supplier<CompletableFuture<T>> call) {
        try {
            CompletableFuture<T> future = call.get();
            return future != null ? future : CompletableFuture.failedFuture(new IllegalStateException("sink answered null"));
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }
}
