package org.gcs.routing.kademlia.route;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import io.netty.util.NetUtil;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionException;
import org.gcs.api.DeviceId;
import org.gcs.api.DeviceOfflineException;
import org.gcs.api.GcsException;
import org.gcs.api.NodeId;
import org.gcs.api.ProtocolException;
import org.gcs.api.RefusedException;
import org.gcs.api.TransportException;
import org.gcs.api.UnknownUserException;
import org.gcs.api.UserId;
import org.gcs.api.routing.Endpoint;
import org.gcs.api.routing.FriendsPolicy;
import org.gcs.api.routing.RoutedMessage;
import org.gcs.routing.kademlia.dht.Contact;
import org.gcs.routing.kademlia.route.wire.RouteWire;

/**
 * Converts between the api's values and the messages of {@code route.proto}, and between refusals and
 * {@link RouteWire.Answer} codes. Decoding checks every field a peer sent and throws {@link ProtocolException} for
 * anything malformed. Stateless; any thread.
 */
public final class RouteCodec {
    private RouteCodec() {
    }

    public static RouteWire.Device device(Endpoint endpoint) {
        return RouteWire.Device.newBuilder().setUser(endpoint.user().toString()).setDevice(endpoint.device().name()).build();
    }

    public static Endpoint endpoint(RouteWire.Device device) {
        try {
            return new Endpoint(UserId.parse(device.getUser()), DeviceId.of(device.getDevice()));
        } catch (RuntimeException e) {
            throw new ProtocolException("malformed device " + device.getUser() + "/" + device.getDevice(), e);
        }
    }

    public static UserId user(String text) {
        try {
            return UserId.parse(text);
        } catch (RuntimeException e) {
            throw new ProtocolException("malformed user id", e);
        }
    }

    public static NodeId node(ByteString bytes) {
        if (bytes.size() != NodeId.LENGTH) {
            throw new ProtocolException("a node id has " + NodeId.LENGTH + " bytes, not " + bytes.size());
        }
        return NodeId.of(bytes.toByteArray());
    }

    public static ByteString bytes(NodeId node) {
        return ByteString.copyFrom(node.toBytes());
    }

    public static RouteWire.Presence presence(Endpoint device, FriendsPolicy policy) {
        RouteWire.Presence.Builder b = RouteWire.Presence.newBuilder().setDevice(device(device)).setUploaded(policy.uploaded());
        policy.friends().forEach(friend -> b.addFriends(friend.toString()));
        return b.build();
    }

    /** The friends policy of a presence; friends that do not parse are kept aside, as a login's are. */
    public static FriendsPolicy policy(RouteWire.Presence presence) {
        return FriendsPolicy.of(presence.getUploaded(), presence.getFriendsList());
    }

    public static RouteWire.Routed routed(RoutedMessage message) {
        RouteWire.Routed.Builder b = RouteWire.Routed.newBuilder()
                .setOrigin(bytes(message.origin()))
                .setKind(switch (message.kind()) {
                    case CONNECT_REQUEST -> RouteWire.Kind.CONNECT_REQUEST;
                    case CONNECT_RESULT -> RouteWire.Kind.CONNECT_RESULT;
                    case SIGNAL -> RouteWire.Kind.SIGNAL;
                })
                .setFrom(device(message.from()))
                .setTo(device(message.to()))
                .setPayload(ByteString.copyFrom(message.payload()));
        if (message.toNode() != null) {
            b.setToNode(bytes(message.toNode()));
        }
        return b.build();
    }

    public static RoutedMessage message(RouteWire.Routed routed) {
        RoutedMessage.Kind kind = switch (routed.getKind()) {
            case CONNECT_REQUEST -> RoutedMessage.Kind.CONNECT_REQUEST;
            case CONNECT_RESULT -> RoutedMessage.Kind.CONNECT_RESULT;
            case SIGNAL -> RoutedMessage.Kind.SIGNAL;
            default -> throw new ProtocolException("routed message of unknown kind " + routed.getKindValue());
        };
        NodeId toNode = routed.getToNode().isEmpty() ? null : node(routed.getToNode());
        return new RoutedMessage(node(routed.getOrigin()), kind, endpoint(routed.getFrom()), endpoint(routed.getTo()),
                toNode, routed.getPayload().toByteArray());
    }

    public static RouteWire.Contact contact(Contact contact) {
        return RouteWire.Contact.newBuilder().setNodeId(bytes(contact.id()))
                .setHost(contact.address().getHostString()).setPort(contact.address().getPort()).build();
    }

    /** A contact as a peer described it: its address is resolved only when it is a literal IP (no DNS on a peer's word). */
    public static Contact contact(RouteWire.Contact contact) {
        if (contact.getPort() < 1 || contact.getPort() > 65535 || contact.getHost().isEmpty()) {
            throw new ProtocolException("contact with a bad address " + contact.getHost() + ":" + contact.getPort());
        }
        return new Contact(node(contact.getNodeId()), literal(contact.getHost(), contact.getPort()));
    }

    /**
     * The address of an IPv4 or IPv6 literal. Anything else is refused here: {@code new InetSocketAddress(host, port)}
     * would look a name up in DNS, or leave a malformed literal unresolved, a "network" of its own that escapes the
     * routing table's per-network limits.
     */
    private static InetSocketAddress literal(String host, int port) {
        InetAddress ip = NetUtil.createInetAddressFromIpAddressString(host);
        if (ip == null) {
            throw new ProtocolException("contact host is not an IP literal: " + host);
        }
        return new InetSocketAddress(ip, port);
    }

    public static byte[] ok() {
        return answer(RouteWire.Code.OK, "").toByteArray();
    }

    public static byte[] okDevices(List<DeviceId> devices) {
        RouteWire.Answer.Builder b = RouteWire.Answer.newBuilder().setCode(RouteWire.Code.OK);
        devices.forEach(d -> b.addDevices(d.name()));
        return b.build().toByteArray();
    }

    private static RouteWire.Answer answer(RouteWire.Code code, String message) {
        return RouteWire.Answer.newBuilder().setCode(code).setMessage(message).build();
    }

    /**
     * The answer that tells a peer about {@code failure}: a refusal keeps its kind and message; anything else is
     * rethrown, so the link answers FAILED and the caller treats this node as broken for the call.
     */
    public static byte[] refusal(Throwable failure) {
        Throwable cause = unwrap(failure);
        RouteWire.Code code;
        if (cause instanceof UnknownUserException) {
            code = RouteWire.Code.UNKNOWN_USER;
        } else if (cause instanceof DeviceOfflineException) {
            code = RouteWire.Code.DEVICE_OFFLINE;
        } else if (cause instanceof RefusedException) {
            code = RouteWire.Code.REFUSED;
        } else if (cause instanceof ProtocolException) {
            code = RouteWire.Code.PROTOCOL;
        } else if (cause instanceof TransportException) {
            code = RouteWire.Code.UNAVAILABLE;
        } else if (cause instanceof RuntimeException r) {
            throw r;
        } else {
            throw new IllegalStateException(cause);
        }
        return answer(code, String.valueOf(cause.getMessage())).toByteArray();
    }

    /** Parses an answer; an answer other than OK becomes the exception its code names. */
    public static RouteWire.Answer parseAnswer(byte[] body) {
        RouteWire.Answer answer = parse(body, RouteWire.Answer.parser());
        String message = answer.getMessage();
        return switch (answer.getCode()) {
            case OK -> answer;
            case UNKNOWN_USER -> throw new UnknownUserException(message);
            case DEVICE_OFFLINE -> throw new DeviceOfflineException(message);
            case REFUSED -> throw new RefusedException(message);
            case PROTOCOL -> throw new ProtocolException(message);
            case UNAVAILABLE -> throw new TransportException(message);
            default -> throw new ProtocolException("answer with unknown code " + answer.getCodeValue());
        };
    }

    public static List<DeviceId> devices(RouteWire.Answer answer) {
        List<DeviceId> devices = new ArrayList<>();
        for (String name : answer.getDevicesList()) {
            try {
                devices.add(DeviceId.of(name));
            } catch (RuntimeException e) {
                throw new ProtocolException("malformed device name in an answer", e);
            }
        }
        return devices;
    }

    /** Parses a request or answer body; a body that does not parse breaks the protocol. */
    public static <T> T parse(byte[] body, com.google.protobuf.Parser<T> parser) {
        try {
            return parser.parseFrom(body);
        } catch (InvalidProtocolBufferException e) {
            throw new ProtocolException("malformed message: " + e.getMessage(), e);
        }
    }

    /** The failure inside completion wrappers. */
    public static Throwable unwrap(Throwable failure) {
        Throwable cause = failure;
        while (cause instanceof CompletionException && cause.getCause() != null) {
            cause = cause.getCause();
        }
        return cause;
    }

    /** Whether {@code failure} says the node answered with a refusal (as opposed to being unreachable or broken). */
    public static boolean isRefusal(Throwable failure) {
        Throwable cause = unwrap(failure);
        return cause instanceof GcsException && !(cause instanceof TransportException)
                && !(cause instanceof org.gcs.routing.kademlia.link.LinkException);
    }
}
