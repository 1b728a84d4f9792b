package org.gcs.node.session;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import io.netty.channel.Channel;
import java.lang.System.Logger.Level;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import org.gcs.api.DeviceOfflineException;
import org.gcs.api.NodeId;
import org.gcs.api.ProtocolException;
import org.gcs.api.RefusedException;
import org.gcs.api.routing.DeviceSink;
import org.gcs.api.routing.Endpoint;
import org.gcs.api.routing.FriendsPolicy;
import org.gcs.api.routing.NodeAddress;
import org.gcs.api.routing.Presence;
import org.gcs.api.routing.RoutedMessage;
import org.gcs.api.wire.NodeWire;
import org.gcs.api.wire.NodeWire.ConnectRequest;
import org.gcs.api.wire.NodeWire.ErrorCode;
import org.gcs.api.wire.NodeWire.NodeFrame;
import org.gcs.api.wire.NodeWire.Status;

/**
 * One logged-in device: who it is, its channel, the friends policy it uploaded, and the connections it is part of. As
 * the {@link DeviceSink} the router calls for messages addressed to it (on any thread), it checks each against the
 * connection table before the device hears it: a {@code ConnectRequest} must name its sender as caller and pass the
 * device's own policy; a {@code ConnectResult} or {@code Signal} must belong to a connection recorded between exactly
 * the sender and this device, and come from the node recorded for the sender.
 */
public final class DeviceSession implements DeviceSink {
    private static final System.Logger LOG = System.getLogger(DeviceSession.class.getName());

    private final Endpoint endpoint;
    private final Channel channel;
    private final SessionContext context;
    private final Set<ByteString> connections = ConcurrentHashMap.newKeySet();
    /** Completes once Welcome is queued: a message the router hands over earlier (while it attaches) waits for it. */
    private final CompletableFuture<Void> welcomed = new CompletableFuture<>();
    private volatile FriendsPolicy friends;
    private final byte[] publicKey;

    public DeviceSession(Endpoint endpoint, Channel channel, FriendsPolicy friends, SessionContext context) {
        this(endpoint, channel, friends, context, new byte[0]);
    }

    /** @param publicKey the key the device proved at login that it holds, which its user id must stay owned by */
    public DeviceSession(Endpoint endpoint, Channel channel, FriendsPolicy friends, SessionContext context,
            byte[] publicKey) {
        this.publicKey = publicKey.clone();
        this.endpoint = Objects.requireNonNull(endpoint, "endpoint");
        this.channel = Objects.requireNonNull(channel, "channel");
        this.friends = Objects.requireNonNull(friends, "friends");
        this.context = Objects.requireNonNull(context, "context");
    }

    public Endpoint endpoint() {
        return endpoint;
    }

    /** The key the device logged in with. */
    public byte[] publicKey() {
        return publicKey.clone();
    }

    /**
     * Ends the session because its user may not stay logged in (her id is no longer her key's, or the node stopped
     * verifying her scheme): the device gets an {@code Error} with {@code code} and {@code reason}, then the close.
     */
    public void disconnect(ErrorCode code, String reason) {
        LOG.log(Level.INFO, () -> "session " + endpoint + " " + channel.remoteAddress() + " ended: " + code + " " + reason);
        Disconnect.withError(channel, code, reason);
    }

    public FriendsPolicy friends() {
        return friends;
    }

    public void friends(FriendsPolicy policy) {
        this.friends = Objects.requireNonNull(policy, "policy");
    }

    /** What this node's router announces for the device. */
    public Presence presence() {
        return new Presence(endpoint, context.nodeId(), friends);
    }

    /** The login finished and Welcome is queued (call on the channel's event loop, right after writing it). */
    public void welcomed() {
        welcomed.complete(null);
    }

    /** The login failed or the device left: messages that waited for Welcome fail with DeviceOfflineException. */
    public void ended() {
        welcomed.completeExceptionally(new DeviceOfflineException(endpoint + " is not online"));
    }

    /**
     * Queues {@code frame} to the device; a failed write is logged, never thrown. A device that lets more than the
     * hard limit of unread bytes pile up (it asks and never reads) is closed instead.
     */
    public void send(NodeFrame frame) {
        long hardLimit = (long) context.devices().limits().writeBufferBytes() * NodeLimits.HARD_WRITE_BUFFER_FACTOR;
        if (channel.bytesBeforeWritable() > hardLimit) {
            LOG.log(Level.WARNING, () -> endpoint + " does not read: over " + hardLimit + " bytes wait for it; closing");
            context.stats().slowReaderClosed();
            channel.close();
            return;
        }
        channel.writeAndFlush(frame).addListener(f -> {
            if (!f.isSuccess()) {
                LOG.log(Level.DEBUG, () -> "write of " + frame.getBodyCase() + " to " + endpoint + " failed: " + f.cause());
            }
        });
    }

    @Override
    public CompletableFuture<Void> deliver(RoutedMessage message) {
        if (!welcomed.isDone()) {
            // a distributed router makes the device reachable before its attach (and so the Welcome) completes
            return welcomed.thenCompose(v -> deliver(message));
        }
        try {
            if (!message.to().equals(endpoint)) {
                throw new ProtocolException("message for " + message.to() + " handed to " + endpoint);
            }
            if (!channel.isActive()) {
                throw new DeviceOfflineException(endpoint + " is not online");
            }
            NodeFrame frame = NodeFrame.parseFrom(message.payload());
            switch (message.kind()) {
                case CONNECT_REQUEST -> deliverConnectRequest(message, frame);
                case CONNECT_RESULT, SIGNAL -> deliverOnConnection(message, frame);
                default -> throw new ProtocolException(message.kind() + " is not delivered to devices");
            }
            return CompletableFuture.completedFuture(null);
        } catch (InvalidProtocolBufferException e) {
            return CompletableFuture.failedFuture(new ProtocolException("routed payload is not a NodeFrame", e));
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    private void deliverConnectRequest(RoutedMessage message, NodeFrame frame) {
        if (!frame.hasConnectRequest()) {
            throw new ProtocolException("a CONNECT_REQUEST message carries " + frame.getBodyCase());
        }
        ConnectRequest request = frame.getConnectRequest();
        ByteString id = request.getConnectionId();
        Endpoint from = message.from();
        if (!request.getCallerUser().equals(from.user().toString()) || !request.getCallerDevice().equals(from.device().name())) {
            throw new ProtocolException("ConnectRequest names a caller other than its sender " + from);
        }
        if (!friends.admits(from.user(), endpoint.user())) {
            LOG.log(Level.INFO, () -> "connect " + NodeFrames.shortId(id) + " " + from + " -> " + endpoint + ": refused, not a friend");
            throw new RefusedException(endpoint.user() + " does not accept requests from " + from.user());
        }
        ConnectionTable table = context.connections();
        if (!table.record(id, new ConnectionTable.Connection(from, endpoint))) {
            throw new ProtocolException("connection id " + NodeFrames.shortId(id) + " is in use by another pair");
        }
        table.noteNode(id, from, message.origin());
        table.noteNode(id, endpoint, context.nodeId());
        track(id);
        send(frame);
        context.stats().connectRelayed();
        LOG.log(Level.INFO, () -> "connect " + NodeFrames.shortId(id) + " " + from + " -> " + endpoint + ": request delivered");
    }

    private void deliverOnConnection(RoutedMessage message, NodeFrame frame) {
        boolean isResult = message.kind() == RoutedMessage.Kind.CONNECT_RESULT;
        boolean isCancel = !isResult && frame.hasConnectCancel();
        if (isResult ? !frame.hasConnectResult() : !frame.hasSignal() && !isCancel) {
            throw new ProtocolException("a " + message.kind() + " message carries " + frame.getBodyCase());
        }
        ByteString id = isResult ? frame.getConnectResult().getConnectionId()
                : isCancel ? frame.getConnectCancel().getConnectionId() : frame.getSignal().getConnectionId();
        Endpoint from = message.from();
        ConnectionTable table = context.connections();
        Optional<ConnectionTable.Connection> connection = table.find(id);
        boolean between = connection.filter(c -> isResult || isCancel ? c.callee().equals(isResult ? from : endpoint)
                && c.caller().equals(isResult ? endpoint : from) : c.joins(from, endpoint)).isPresent();
        Optional<NodeId> vouching = table.nodeOf(id, from);
        if (!between || vouching.filter(node -> !node.equals(message.origin())).isPresent()) {
            LOG.log(Level.INFO, () -> "dropped " + message.kind() + " " + NodeFrames.shortId(id) + " " + from + " -> " + endpoint
                    + " via " + message.origin() + ": no such connection between them from that node");
            throw new ProtocolException("no connection " + NodeFrames.shortId(id) + " between " + from + " and " + endpoint);
        }
        table.noteNode(id, from, message.origin());
        if (isResult) {
            Status status = frame.getConnectResult().getStatus();
            // the connect ends here for the caller, whatever its result, before the caller can hear of it (and start
            // another); an accepted one keeps its table entry for the signals that follow (it expires 2 min after
            // the last of them)
            untrack(id);
            if (status != Status.ACCEPTED) {
                table.remove(id);
            }
            send(frame);
            LOG.log(Level.INFO, () -> "connect " + NodeFrames.shortId(id) + " " + endpoint + " <- " + from + ": result " + status);
        } else if (isCancel) {
            untrack(id); // the connect ends here for the callee
            table.remove(id);
            send(frame);
            LOG.log(Level.INFO, () -> "connect " + NodeFrames.shortId(id) + " " + from + " -> " + endpoint + ": cancelled");
        } else {
            send(frame);
            LOG.log(Level.DEBUG, () -> "signal " + NodeFrames.shortId(id) + " " + from + " -> " + endpoint + " ("
                    + frame.getSignal().getPayload().size() + " bytes)");
        }
    }

    @Override
    public void replaced(NodeId where) {
        LOG.log(Level.INFO, () -> "session replaced " + endpoint + " " + channel.remoteAddress() + " (logged in again at "
                + (where.equals(context.nodeId()) ? "this node" : "node " + where) + ")");
        Disconnect.withError(channel, ErrorCode.REPLACED, "the same user and device logged in again");
    }

    @Override
    public void moveTo(List<NodeAddress> handlers) {
        LOG.log(Level.INFO, () -> "session " + endpoint + " asked to move to " + handlers);
        NodeWire.Redirect.Builder redirect = NodeWire.Redirect.newBuilder()
                .setUserId(endpoint.user().toString())
                .setReason("the user's handler nodes changed");
        handlers.forEach(h -> redirect.addHandlers(NodeFrames.address(h)));
        channel.eventLoop().execute(() -> {
            if (connections.isEmpty()) {
                Disconnect.withFrame(channel, NodeFrame.newBuilder().setRedirect(redirect).build(), "moved to " + handlers);
            } else {
                send(NodeFrame.newBuilder().setRedirect(redirect).build());
            }
        });
    }

    void track(ByteString connectionId) {
        connections.add(connectionId);
    }

    void untrack(ByteString connectionId) {
        connections.remove(connectionId);
    }

    Set<ByteString> connections() {
        return Set.copyOf(connections);
    }

    /**
     * The connects of this device in flight here: being set up, not yet ended by a result. One whose entry in the
     * connection table expired (nobody answered it) is no longer counted.
     */
    public int connectsInFlight() {
        connections.removeIf(id -> context.connections().find(id).isEmpty());
        return connections.size();
    }

    @Override
    public String toString() {
        return endpoint + " " + channel.remoteAddress();
    }
}
