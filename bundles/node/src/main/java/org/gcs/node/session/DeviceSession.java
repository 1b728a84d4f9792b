package org.gcs.node.session;

import com.google.protobuf.ByteString;
import io.netty.channel.Channel;
import java.lang.System.Logger.Level;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.gcs.api.wire.NodeWire.ErrorCode;
import org.gcs.api.wire.NodeWire.NodeFrame;

/** One logged-in device: who it is, its channel, the friends policy it uploaded, and the connections it is part of. */
public final class DeviceSession {
    private static final System.Logger LOG = System.getLogger(DeviceSession.class.getName());

    private final Endpoint endpoint;
    private final Channel channel;
    private final Set<ByteString> connections = ConcurrentHashMap.newKeySet();
    private volatile FriendsPolicy friends;

    public DeviceSession(Endpoint endpoint, Channel channel, FriendsPolicy friends) {
        this.endpoint = Objects.requireNonNull(endpoint, "endpoint");
        this.channel = Objects.requireNonNull(channel, "channel");
        this.friends = Objects.requireNonNull(friends, "friends");
    }

    public Endpoint endpoint() {
        return endpoint;
    }

    public FriendsPolicy friends() {
        return friends;
    }

    public void friends(FriendsPolicy policy) {
        this.friends = Objects.requireNonNull(policy, "policy");
    }

    /** Queues {@code frame} to the device; a failed write is logged, never thrown. */
    public void send(NodeFrame frame) {
        channel.writeAndFlush(frame).addListener(f -> {
            if (!f.isSuccess()) {
                LOG.log(Level.DEBUG, () -> "write of " + frame.getBodyCase() + " to " + endpoint + " failed: " + f.cause());
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

    /** Ends this session because the same user and device logged in again. */
    void replaced() {
        LOG.log(Level.INFO, () -> "session replaced " + endpoint + " " + channel.remoteAddress());
        Disconnect.withError(channel, ErrorCode.REPLACED, "the same user and device logged in again");
    }

    @Override
    public String toString() {
        return endpoint + " " + channel.remoteAddress();
    }
}
