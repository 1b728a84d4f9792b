package org.gcs.node.session;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import java.lang.System.Logger.Level;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import org.gcs.api.DeviceId;
import org.gcs.api.DeviceOfflineException;
import org.gcs.api.ProtocolException;
import org.gcs.api.RefusedException;
import org.gcs.api.UnknownUserException;
import org.gcs.api.UserId;
import org.gcs.api.routing.RoutedMessage;
import org.gcs.api.routing.UserSink;
import org.gcs.api.wire.NodeWire.ConnectRequest;
import org.gcs.api.wire.NodeWire.NodeFrame;
import org.gcs.api.wire.NodeWire.Status;
import org.gcs.node.stats.NodeStats;

/**
 * A user handled by this node, as the {@link org.gcs.api.routing.Router} sees her: her online devices and the door to
 * them. Enforces each device's uploaded friends list, records the connections it lets through, and forwards signals
 * and results only on connections recorded between exactly the sender and the addressed device.
 */
final class LocalUser implements UserSink {
    private static final System.Logger LOG = System.getLogger(LocalUser.class.getName());

    private final UserId user;
    private final ConcurrentMap<DeviceId, DeviceSession> devices = new ConcurrentHashMap<>();
    private final ConnectionTable connections;
    private final NodeStats stats;
    /** Completes when the router accepted this sink. */
    final CompletableFuture<Void> attached = new CompletableFuture<>();

    LocalUser(UserId user, ConnectionTable connections, NodeStats stats) {
        this.user = user;
        this.connections = connections;
        this.stats = stats;
    }

    UserId user() {
        return user;
    }

    /** Adds the session of a device; returns the session it replaces, if any. */
    Optional<DeviceSession> put(DeviceSession session) {
        return Optional.ofNullable(devices.put(session.endpoint().device(), session)).filter(old -> old != session);
    }

    /** Removes the session if it is still the one of its device; returns whether it was. */
    boolean remove(DeviceSession session) {
        return devices.remove(session.endpoint().device(), session);
    }

    boolean isEmpty() {
        return devices.isEmpty();
    }

    @Override
    public CompletableFuture<List<DeviceId>> devicesVisibleTo(UserId requester) {
        if (devices.isEmpty()) {
            return CompletableFuture.failedFuture(new UnknownUserException(user + " has no device online"));
        }
        List<DeviceId> visible = devices.values().stream()
                .filter(session -> session.friends().admits(requester, user))
                .map(session -> session.endpoint().device())
                .sorted()
                .toList();
        if (visible.isEmpty()) {
            return CompletableFuture.failedFuture(new RefusedException(user + " does not accept " + requester));
        }
        return CompletableFuture.completedFuture(visible);
    }

    @Override
    public CompletableFuture<Void> deliver(RoutedMessage message) {
        try {
            NodeFrame frame = NodeFrame.parseFrom(message.payload());
            Endpoint from = new Endpoint(message.fromUser(), message.fromDevice());
            Endpoint to = new Endpoint(message.toUser(), message.toDevice());
            switch (frame.getBodyCase()) {
                case CONNECT_REQUEST -> deliverConnectRequest(from, to, frame);
                case CONNECT_RESULT -> deliverOnConnection(from, to, frame, frame.getConnectResult().getConnectionId());
                case SIGNAL -> deliverOnConnection(from, to, frame, frame.getSignal().getConnectionId());
                default -> throw new ProtocolException(frame.getBodyCase() + " is not routed to devices");
            }
            return CompletableFuture.completedFuture(null);
        } catch (InvalidProtocolBufferException e) {
            return CompletableFuture.failedFuture(new ProtocolException("routed payload is not a NodeFrame", e));
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    private void deliverConnectRequest(Endpoint from, Endpoint to, NodeFrame frame) {
        ConnectRequest request = frame.getConnectRequest();
        ByteString id = request.getConnectionId();
        if (!request.getCallerUser().equals(from.user().toString()) || !request.getCallerDevice().equals(from.device().name())) {
            throw new ProtocolException("ConnectRequest names a caller other than its sender " + from);
        }
        boolean anyDeviceAdmits = devices.values().stream().anyMatch(s -> s.friends().admits(from.user(), user));
        if (!anyDeviceAdmits) {
            throw refused(id, from, to);
        }
        DeviceSession callee = devices.get(to.device());
        if (callee == null) {
            LOG.log(Level.INFO, () -> "connect " + NodeFrames.shortId(id) + " " + from + " -> " + to + ": device offline");
            throw new DeviceOfflineException(to + " is not online");
        }
        if (!callee.friends().admits(from.user(), user)) {
            throw refused(id, from, to);
        }
        if (!connections.record(id, new ConnectionTable.Connection(from, to))) {
            throw new ProtocolException("connection id " + NodeFrames.shortId(id) + " is in use by another pair");
        }
        callee.track(id);
        callee.send(frame);
        stats.connectRelayed();
        LOG.log(Level.INFO, () -> "connect " + NodeFrames.shortId(id) + " " + from + " -> " + to + ": request delivered");
    }

    private RefusedException refused(ByteString id, Endpoint from, Endpoint to) {
        LOG.log(Level.INFO, () -> "connect " + NodeFrames.shortId(id) + " " + from + " -> " + to + ": refused, not a friend");
        return new RefusedException(to.user() + " does not accept requests from " + from.user());
    }

    private void deliverOnConnection(Endpoint from, Endpoint to, NodeFrame frame, ByteString id) {
        Optional<ConnectionTable.Connection> connection = connections.find(id);
        boolean isResult = frame.hasConnectResult();
        boolean allowed = connection.filter(c -> isResult ? c.callee().equals(from) && c.caller().equals(to) : c.joins(from, to))
                .isPresent();
        if (!allowed) {
            LOG.log(Level.INFO, () -> "dropped " + frame.getBodyCase() + " " + NodeFrames.shortId(id) + " " + from + " -> " + to
                    + ": no such connection between them");
            throw new ProtocolException("no connection " + NodeFrames.shortId(id) + " between " + from + " and " + to);
        }
        DeviceSession target = devices.get(to.device());
        if (target == null) {
            throw new DeviceOfflineException(to + " is not online");
        }
        target.send(frame);
        if (isResult) {
            Status status = frame.getConnectResult().getStatus();
            LOG.log(Level.INFO, () -> "connect " + NodeFrames.shortId(id) + " " + to + " <- " + from + ": result " + status);
            if (status != Status.ACCEPTED) {
                connections.remove(id);
                target.untrack(id);
            }
        } else {
            LOG.log(Level.DEBUG, () -> "signal " + NodeFrames.shortId(id) + " " + from + " -> " + to + " ("
                    + frame.getSignal().getPayload().size() + " bytes)");
        }
    }
}
