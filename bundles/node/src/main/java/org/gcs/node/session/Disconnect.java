package org.gcs.node.session;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.util.AttributeKey;
import java.util.concurrent.TimeUnit;
import org.gcs.api.wire.NodeWire.ErrorCode;
import org.gcs.api.wire.NodeWire.NodeFrame;

/**
 * Ends one daemon connection because of a fatal error: sends the {@code Error} frame, stops reading, closes once the
 * frame is written (or after a grace period if the peer does not read). Frames that still arrive are ignored.
 */
public final class Disconnect {
    private static final AttributeKey<String> CLOSING = AttributeKey.valueOf("gcs.node.closing");
    private static final long GRACE_SECONDS = 2;

    private Disconnect() {
    }

    /** Whether the channel is being closed after a fatal error; handlers then drop what they read. */
    public static boolean isClosing(Channel channel) {
        return channel.hasAttr(CLOSING) && channel.attr(CLOSING).get() != null;
    }

    public static void withError(Channel channel, ErrorCode code, String message) {
        withFrame(channel, NodeFrames.error(code, message), code + ": " + message);
    }

    /** Sends {@code error} (an {@code Error} frame) and closes; only the first call on a channel has an effect. */
    public static void withFrame(Channel channel, NodeFrame error, String reason) {
        if (channel.attr(CLOSING).setIfAbsent(reason) != null) {
            return;
        }
        channel.config().setAutoRead(false);
        if (!channel.isActive()) {
            channel.close();
            return;
        }
        channel.writeAndFlush(error).addListener(ChannelFutureListener.CLOSE);
        channel.eventLoop().schedule(() -> {
            channel.close();
        }, GRACE_SECONDS, TimeUnit.SECONDS);
    }
}
