package org.gcs.routing.kademlia.link;

import java.net.InetSocketAddress;
import org.gcs.api.NodeId;

/**
 * Receives the one-way messages that peers send over links to this endpoint, in the order each link delivers them.
 * Called on the link's event loop thread: return quickly and never block. A throw is logged and otherwise ignored.
 */
@FunctionalInterface
public interface MessageHandler {
    /** Ignores every message. */
    MessageHandler IGNORE = (peer, peerListenAddress, method, body) -> { };

    /** See {@link RequestHandler#handle} for the parameters. */
    void handle(NodeId peer, InetSocketAddress peerListenAddress, int method, byte[] body);
}
