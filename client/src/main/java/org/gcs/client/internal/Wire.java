package org.gcs.client.internal;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import java.util.HexFormat;
import org.gcs.api.AppId;
import org.gcs.api.DeviceId;
import org.gcs.api.ProtocolException;
import org.gcs.api.UserId;
import org.gcs.api.transport.ChannelType;
import org.gcs.api.transport.PathKind;
import org.gcs.api.wire.AppWire;
import org.gcs.api.wire.NodeWire;
import org.gcs.client.Status;

/** Conversions between wire values and API values; anything the daemon sends that does not convert is a {@link ProtocolException}. */
public final class Wire {
    private static final HexFormat HEX = HexFormat.of();

    private Wire() {
    }

    public static AppWire.AppFrame parse(byte[] bytes) {
        try {
            AppWire.AppFrame frame = AppWire.AppFrame.parseFrom(bytes);
            if (frame.getBodyCase() == AppWire.AppFrame.BodyCase.BODY_NOT_SET) {
                throw new ProtocolException("frame from daemon has no body (unknown message type?)");
            }
            return frame;
        } catch (InvalidProtocolBufferException e) {
            throw new ProtocolException("malformed AppFrame from daemon: " + e.getMessage(), e);
        }
    }

    public static Status status(NodeWire.Status wire) {
        return switch (wire) {
            case OK -> Status.OK;
            case ACCEPTED -> Status.ACCEPTED;
            case REJECTED -> Status.REJECTED;
            case UNKNOWN_USER -> Status.UNKNOWN_USER;
            case DEVICE_OFFLINE -> Status.DEVICE_OFFLINE;
            case UNKNOWN_APP -> Status.UNKNOWN_APP;
            case REFUSED -> Status.REFUSED;
            case TIMEOUT -> Status.TIMEOUT;
            case FAILED -> Status.FAILED;
            case UNAUTHENTICATED -> Status.UNAUTHENTICATED;
            case LIMITED -> Status.LIMITED;
            case STATUS_UNSPECIFIED, UNRECOGNIZED -> throw new ProtocolException("daemon sent no or an unknown status: " + wire);
        };
    }

    public static PathKind path(AppWire.PathKind wire) {
        return switch (wire) {
            case HOST -> PathKind.HOST;
            case SERVER_REFLEXIVE -> PathKind.SERVER_REFLEXIVE;
            case PEER_REFLEXIVE -> PathKind.PEER_REFLEXIVE;
            case RELAYED -> PathKind.RELAYED;
            case PATH_KIND_UNSPECIFIED, UNRECOGNIZED -> throw new ProtocolException("daemon sent no or an unknown path kind: " + wire);
        };
    }

    public static AppWire.PathKind wire(PathKind path) {
        return switch (path) {
            case HOST -> AppWire.PathKind.HOST;
            case SERVER_REFLEXIVE -> AppWire.PathKind.SERVER_REFLEXIVE;
            case PEER_REFLEXIVE -> AppWire.PathKind.PEER_REFLEXIVE;
            case RELAYED -> AppWire.PathKind.RELAYED;
        };
    }

    public static ChannelType type(NodeWire.ChannelType wire) {
        return switch (wire) {
            case DATA -> ChannelType.DATA;
            case STREAM -> ChannelType.STREAM;
            case CHANNEL_TYPE_UNSPECIFIED, UNRECOGNIZED -> throw new ProtocolException("daemon sent no or an unknown channel type: " + wire);
        };
    }

    public static NodeWire.ChannelType wire(ChannelType type) {
        return switch (type) {
            case DATA -> NodeWire.ChannelType.DATA;
            case STREAM -> NodeWire.ChannelType.STREAM;
        };
    }

    public static UserId user(String field, String text) {
        try {
            return UserId.parse(text);
        } catch (IllegalArgumentException e) {
            throw new ProtocolException("daemon sent an invalid " + field + ": " + e.getMessage(), e);
        }
    }

    public static DeviceId device(String field, String text) {
        try {
            return DeviceId.of(text);
        } catch (IllegalArgumentException e) {
            throw new ProtocolException("daemon sent an invalid " + field + ": " + e.getMessage(), e);
        }
    }

    public static AppId app(String field, String text) {
        try {
            return AppId.of(text);
        } catch (IllegalArgumentException e) {
            throw new ProtocolException("daemon sent an invalid " + field + ": " + e.getMessage(), e);
        }
    }

    public static String hex(ByteString bytes) {
        return HEX.formatHex(bytes.toByteArray());
    }

    public static ByteString unhex(String hex) {
        return ByteString.copyFrom(HEX.parseHex(hex));
    }
}
