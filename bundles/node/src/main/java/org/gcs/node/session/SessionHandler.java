package org.gcs.node.session;

import com.google.protobuf.ByteString;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.lang.System.Logger.Level;
import java.util.Optional;
import org.gcs.api.DeviceId;
import org.gcs.api.UserId;
import org.gcs.api.NodeId;
import org.gcs.api.routing.Endpoint;
import org.gcs.api.routing.FriendsPolicy;
import org.gcs.api.routing.RoutedMessage;
import org.gcs.api.routing.RoutedMessage.Kind;
import org.gcs.api.wire.NodeWire.ChannelType;
import org.gcs.api.wire.NodeWire.Connect;
import org.gcs.api.wire.NodeWire.ConnectRequest;
import org.gcs.api.wire.NodeWire.ConnectResponse;
import org.gcs.api.wire.NodeWire.ConnectResult;
import org.gcs.api.wire.NodeWire.DevicesAnswer;
import org.gcs.api.wire.NodeWire.DevicesQuery;
import org.gcs.api.wire.NodeWire.ErrorCode;
import org.gcs.api.wire.NodeWire.FriendsUpdate;
import org.gcs.api.wire.NodeWire.NodeFrame;
import org.gcs.api.wire.NodeWire.Pong;
import org.gcs.api.wire.NodeWire.Signal;
import org.gcs.api.wire.NodeWire.Status;

/**
 * The requests of one logged-in device (docs/PROTOCOL.md, "Requests after Welcome"). Requests go to the
 * {@link org.gcs.api.routing.Router} with the authenticated identity of this session as sender; answers are written
 * from the routers' futures, never awaited.
 */
public final class SessionHandler extends ChannelInboundHandlerAdapter {
    public static final String NAME = "session";
    private static final System.Logger LOG = System.getLogger(SessionHandler.class.getName());
    private static final int CONNECTION_ID_BYTES = 16;

    private final SessionContext context;
    private final DeviceSession session;
    private final Endpoint self;
    private final TokenBucket frames;
    private final FriendsChunks friendsChunks = new FriendsChunks();

    public SessionHandler(SessionContext context, DeviceSession session) {
        this.context = context;
        this.session = session;
        this.self = session.endpoint();
        NodeLimits limits = context.devices().limits();
        this.frames = new TokenBucket(limits.framesBurst(), limits.framesPerSecond(), System::nanoTime);
    }

    /** Pushes fresh TURN credentials every half lifetime (IceServersUpdate), while the session lasts. */
    private java.util.concurrent.ScheduledFuture<?> renewal;

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        context.iceServers().renewEvery().ifPresent(every -> renewal = ctx.executor().scheduleAtFixedRate(() -> {
            session.send(NodeFrame.newBuilder().setIceServersUpdate(org.gcs.api.wire.NodeWire.IceServersUpdate.newBuilder()
                    .addAllIceServers(context.iceServers().forUser(self.user()))).build());
            LOG.log(Level.DEBUG, () -> "TURN credentials renewed for " + self);
        }, every.toMillis(), every.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS));
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        if (renewal != null) {
            renewal.cancel(false);
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (renewal != null) {
            renewal.cancel(false);
        }
        context.devices().logout(session);
        LOG.log(Level.INFO, () -> "session closed " + session);
        ctx.fireChannelInactive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof NodeFrame frame)) {
            ctx.fireChannelRead(msg);
            return;
        }
        if (Disconnect.isClosing(ctx.channel())) {
            return;
        }
        if (!frames.tryTake()) {
            NodeLimits limits = context.devices().limits();
            context.stats().limited();
            LOG.log(Level.DEBUG, () -> "dropped " + frame.getBodyCase() + " from " + self + ": over the frame rate");
            session.send(NodeFrames.error(ErrorCode.LIMIT_EXCEEDED, frame.getBodyCase() + " dropped: over "
                    + limits.framesPerSecond() + " frames per second (burst " + limits.framesBurst() + ")"));
            return;
        }
        switch (frame.getBodyCase()) {
            case DEVICES_QUERY -> onDevicesQuery(frame.getDevicesQuery());
            case CONNECT -> onConnect(frame.getConnect());
            case CONNECT_RESPONSE -> onConnectResponse(frame.getConnectResponse());
            case SIGNAL -> onSignal(frame);
            case CONNECT_CANCEL -> onCancel(frame);
            case FRIENDS_UPDATE -> onFriendsUpdate(frame.getFriendsUpdate());
            case PING -> session.send(NodeFrame.newBuilder()
                    .setPong(Pong.newBuilder().setNonce(frame.getPing().getNonce())).build());
            case PONG -> { }
            case ERROR -> LOG.log(Level.INFO, () -> "daemon " + self + " reported " + frame.getError().getCode() + ": "
                    + frame.getError().getMessage());
            default -> Disconnect.withError(ctx.channel(), ErrorCode.MALFORMED, frame.getBodyCase() + " is not a request");
        }
    }

    private void onDevicesQuery(DevicesQuery query) {
        UserId target;
        try {
            target = UserId.parse(query.getUserId());
        } catch (IllegalArgumentException e) {
            session.send(NodeFrames.requestError(ErrorCode.MALFORMED, "bad user id: " + e.getMessage(), query.getRequestId()));
            return;
        }
        LocalDevices.call(() -> context.router().devices(self, target)).whenComplete((devices, failure) -> {
            DevicesAnswer.Builder answer = DevicesAnswer.newBuilder().setRequestId(query.getRequestId());
            if (failure == null) {
                answer.setStatus(Status.OK);
                devices.forEach(device -> answer.addDevices(device.name()));
            } else {
                answer.setStatus(Statuses.of(failure));
            }
            LOG.log(Level.INFO, () -> "devices of " + target + " for " + self + ": " + answer.getStatus() + " "
                    + answer.getDevicesList());
            session.send(NodeFrame.newBuilder().setDevicesAnswer(answer).build());
        });
    }

    private void onConnect(Connect connect) {
        ByteString id = connect.getConnectionId();
        if (id.size() != CONNECTION_ID_BYTES) {
            session.send(NodeFrames.connectResult(id, Status.FAILED, "connection id must be " + CONNECTION_ID_BYTES + " bytes"));
            return;
        }
        Endpoint callee;
        try {
            callee = new Endpoint(UserId.parse(connect.getCalleeUser()), DeviceId.of(connect.getCalleeDevice()));
        } catch (IllegalArgumentException e) {
            session.send(NodeFrames.connectResult(id, Status.FAILED, "bad callee: " + e.getMessage()));
            return;
        }
        // An enum number this node does not know parses as UNRECOGNIZED, which the ConnectRequest builder cannot take.
        if (connect.getType() != ChannelType.DATA && connect.getType() != ChannelType.STREAM) {
            session.send(NodeFrames.connectResult(id, Status.FAILED,
                    "channel type must be DATA or STREAM, not " + connect.getTypeValue()));
            return;
        }
        NodeFrame request = NodeFrame.newBuilder().setConnectRequest(ConnectRequest.newBuilder()
                .setConnectionId(id)
                .setCallerUser(self.user().toString())
                .setCallerDevice(self.device().name())
                .setCallerApp(connect.getCallerApp())
                .setCalleeApp(connect.getCalleeApp())
                .setType(connect.getType())
                .setOffer(connect.getOffer())
                // end-to-end authentication: copied unread, checked by the callee's daemon
                .setOfferSignature(connect.getOfferSignature())
                .setCallerPublicKey(connect.getCallerPublicKey())
                .setTimestampMs(connect.getTimestampMs())).build();
        if (request.getSerializedSize() > context.maxFrameBytes()) {
            session.send(NodeFrames.connectResult(id, Status.FAILED, "offer too large to relay"));
            return;
        }
        String limited = context.devices().refuseConnect(session);
        if (limited != null) {
            context.stats().limited();
            LOG.log(Level.INFO, () -> "connect " + NodeFrames.shortId(id) + " " + self + " -> " + callee + ": " + limited);
            session.send(NodeFrames.connectResult(id, Status.LIMITED, limited));
            return;
        }
        if (!context.connections().record(id, new ConnectionTable.Connection(self, callee))) {
            session.send(NodeFrames.connectResult(id, Status.FAILED, "connection id already in use"));
            return;
        }
        context.connections().noteNode(id, self, context.nodeId());
        session.track(id);
        String shortId = NodeFrames.shortId(id);
        LOG.log(Level.INFO, () -> "connect " + shortId + " " + self + " (" + connect.getCallerApp() + ") -> " + callee
                + " (" + connect.getCalleeApp() + ", " + connect.getType() + ")");
        route(Kind.CONNECT_REQUEST, callee, null, request).whenComplete((ok, failure) -> {
            if (failure != null) {
                Status status = Statuses.of(failure);
                LOG.log(Level.INFO, () -> "connect " + shortId + " " + self + " -> " + callee + ": result " + status
                        + " (" + Statuses.describe(failure) + ")");
                context.connections().remove(id);
                session.untrack(id);
                session.send(NodeFrames.connectResult(id, status, Statuses.describe(failure)));
            }
        });
    }

    private void onConnectResponse(ConnectResponse response) {
        ByteString id = response.getConnectionId();
        Optional<ConnectionTable.Connection> connection = context.connections().find(id)
                .filter(c -> c.callee().equals(self));
        if (connection.isEmpty()) {
            unknownConnection("ConnectResponse", id);
            return;
        }
        Endpoint caller = connection.get().caller();
        NodeId callerNode = context.connections().nodeOf(id, caller).orElse(null);
        Status status = switch (response.getStatus()) {
            case STATUS_UNSPECIFIED, UNRECOGNIZED -> Status.FAILED;
            default -> response.getStatus();
        };
        NodeFrame result = NodeFrame.newBuilder().setConnectResult(ConnectResult.newBuilder()
                .setConnectionId(id)
                .setStatus(status)
                .setAnswer(response.getAnswer())
                .setMessage(response.getMessage())
                // end-to-end authentication: copied unread, checked by the caller's daemon
                .setAnswerSignature(response.getAnswerSignature())
                .setCalleePublicKey(response.getCalleePublicKey())
                .setDeferredDecision(response.getDeferredDecision())).build();
        LOG.log(Level.INFO, () -> "connect " + NodeFrames.shortId(id) + " " + self + " answered " + status + " to " + caller);
        session.untrack(id); // the connect ends here for the callee, whatever its result
        route(Kind.CONNECT_RESULT, caller, callerNode, result).whenComplete((ok, failure) -> {
            if (failure != null) {
                LOG.log(Level.INFO, () -> "connect " + NodeFrames.shortId(id) + " result to " + caller + " not delivered: "
                        + Statuses.describe(failure));
                session.send(NodeFrames.error(ErrorCode.ERROR_UNSPECIFIED,
                        "result for connection " + NodeFrames.shortId(id) + " not delivered: " + Statuses.describe(failure)));
            }
            // an accepted connect keeps its table entry for the signals that follow
            if (status != Status.ACCEPTED || failure != null) {
                context.connections().remove(id);
            }
        });
    }

    private void onSignal(NodeFrame frame) {
        Signal signal = frame.getSignal();
        ByteString id = signal.getConnectionId();
        Optional<Endpoint> peer = context.connections().find(id).flatMap(c -> c.peerOf(self));
        if (peer.isEmpty()) {
            unknownConnection("Signal", id);
            return;
        }
        NodeId peerNode = context.connections().nodeOf(id, peer.get()).orElse(null);
        route(Kind.SIGNAL, peer.get(), peerNode, frame).whenComplete((ok, failure) -> {
            if (failure != null) {
                LOG.log(Level.DEBUG, () -> "signal " + NodeFrames.shortId(id) + " " + self + " -> " + peer.get()
                        + " not delivered: " + Statuses.describe(failure));
            } else {
                LOG.log(Level.DEBUG, () -> "signal " + NodeFrames.shortId(id) + " " + self + " -> " + peer.get()
                        + " relayed (" + signal.getPayload().size() + " bytes)");
            }
        });
    }

    /** The caller gives its connect up: the callee's daemon is told like a signal, and both nodes forget it. */
    private void onCancel(NodeFrame frame) {
        ByteString id = frame.getConnectCancel().getConnectionId();
        Optional<ConnectionTable.Connection> connection = context.connections().find(id)
                .filter(c -> c.caller().equals(self));
        if (connection.isEmpty()) {
            unknownConnection("ConnectCancel", id);
            return;
        }
        Endpoint callee = connection.get().callee();
        NodeId calleeNode = context.connections().nodeOf(id, callee).orElse(null);
        session.untrack(id);
        LOG.log(Level.INFO, () -> "connect " + NodeFrames.shortId(id) + " " + self + " -> " + callee + " cancelled by the caller");
        route(Kind.SIGNAL, callee, calleeNode, frame).whenComplete((ok, failure) -> {
            context.connections().remove(id);
            if (failure != null) {
                LOG.log(Level.DEBUG, () -> "cancel " + NodeFrames.shortId(id) + " not delivered: " + Statuses.describe(failure));
            }
        });
    }

    private void onFriendsUpdate(FriendsUpdate chunk) {
        FriendsUpdate update;
        try {
            update = friendsChunks.add(chunk).orElse(null);
        } catch (FriendsChunks.Refused e) {
            LOG.log(Level.INFO, () -> "friends update of " + self + " refused: " + e.getMessage());
            session.send(NodeFrames.error(e.code(), e.getMessage() + "; the previous list stays"));
            return;
        }
        if (update == null) {
            return; // more chunks of this list follow: the previous list stays until the last one
        }
        session.friends(FriendsPolicy.of(update.getUploadFriends(), update.getFriendsList()));
        LOG.log(Level.INFO, () -> "friends of " + self + " updated: " + session.friends());
        context.devices().update(session).whenComplete((ok, failure) -> {
            if (failure != null) {
                LOG.log(Level.WARNING, "friends update of " + self + " not announced: " + Statuses.describe(failure));
            }
        });
    }

    private void unknownConnection(String what, ByteString id) {
        LOG.log(Level.INFO, () -> "dropped " + what + " " + NodeFrames.shortId(id) + " from " + self + ": unknown connection");
        session.send(NodeFrames.error(ErrorCode.ERROR_UNSPECIFIED, "unknown connection " + NodeFrames.shortId(id)));
    }

    /** Hands {@code frame} to the router, vouched for by this node; {@code toNode} is where {@code to} is, if known. */
    private java.util.concurrent.CompletableFuture<Void> route(Kind kind, Endpoint to, NodeId toNode, NodeFrame frame) {
        RoutedMessage message = new RoutedMessage(context.nodeId(), kind, self, to, toNode, frame.toByteArray());
        return LocalDevices.call(() -> context.router().deliver(message));
    }
}
