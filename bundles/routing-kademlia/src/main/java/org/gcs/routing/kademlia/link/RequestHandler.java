package org.gcs.routing.kademlia.link;

import java.net.InetSocketAddress;
import java.util.concurrent.CompletableFuture;
import org.gcs.api.NodeId;

/**
 * Answers the calls that peers make over links to this endpoint.
 *
 * <p>Called on the link's event loop thread: return quickly and never block (no {@code join()}, no I/O); answer later
 * by completing the returned future from any thread. A future completed with a body answers {@code OK}. A future
 * failed with (or a synchronous throw of) a {@link org.gcs.api.GcsException} answers {@code FAILED} with that
 * exception's message, which the caller sees as {@link RemoteCallException#remoteMessage()}; any other failure
 * answers {@code FAILED} "internal error" and is logged here, so internal details never reach a peer. A future not
 * completed within {@link LinkConfig#handlerTimeout()} is answered {@code FAILED} for you.
 */
@FunctionalInterface
public interface RequestHandler {
    /**
     * @param peer the calling node, proven by its TLS certificate
     * @param peerListenAddress where the peer says it accepts links (its {@code LinkHello}; claimed, not verified)
     * @param method the call's method number
     * @param body the call's body (a copy the handler owns)
     * @return the answer's body
     */
    CompletableFuture<byte[]> handle(NodeId peer, InetSocketAddress peerListenAddress, int method, byte[] body);
}
