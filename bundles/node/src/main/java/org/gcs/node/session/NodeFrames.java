package org.gcs.node.session;

import com.google.protobuf.ByteString;
import java.util.HexFormat;
import org.gcs.api.routing.NodeAddress;
import org.gcs.api.wire.NodeWire;
import org.gcs.api.wire.NodeWire.ConnectResult;
import org.gcs.api.wire.NodeWire.Error;
import org.gcs.api.wire.NodeWire.ErrorCode;
import org.gcs.api.wire.NodeWire.NodeFrame;
import org.gcs.api.wire.NodeWire.Status;

/** Builders for the frames the node sends, and short printable forms for logs. */
public final class NodeFrames {
    private NodeFrames() {
    }

    public static NodeFrame error(ErrorCode code, String message) {
        return NodeFrame.newBuilder().setError(Error.newBuilder().setCode(code).setMessage(message)).build();
    }

    /** A non-fatal error answering one request; the session stays up. */
    public static NodeFrame requestError(ErrorCode code, String message, long requestId) {
        return NodeFrame.newBuilder()
                .setError(Error.newBuilder().setCode(code).setMessage(message).setRequestId(requestId))
                .build();
    }

    public static NodeFrame connectResult(ByteString connectionId, Status status, String message) {
        return NodeFrame.newBuilder()
                .setConnectResult(ConnectResult.newBuilder().setConnectionId(connectionId).setStatus(status).setMessage(message))
                .build();
    }

    /** A node's daemon-facing address on the wire. */
    public static NodeWire.NodeAddress address(NodeAddress node) {
        return NodeWire.NodeAddress.newBuilder()
                .setNodeId(ByteString.copyFrom(node.id().toBytes()))
                .setHost(node.host())
                .setPort(node.port())
                .build();
    }

    /** The first bytes of a connection id in hex, enough to follow one connection through a log. */
    public static String shortId(ByteString connectionId) {
        byte[] bytes = connectionId.substring(0, Math.min(4, connectionId.size())).toByteArray();
        return HexFormat.of().formatHex(bytes);
    }
}
