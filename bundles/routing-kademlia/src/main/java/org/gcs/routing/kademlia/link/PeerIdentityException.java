package org.gcs.routing.kademlia.link;

/**
 * The peer is not the node it should be: its certificate's key does not hash to the node id that was dialed, or its
 * {@code LinkHello} claims a node id other than its certificate's. The link was refused before any call went over it.
 */
public final class PeerIdentityException extends LinkClosedException {
    private static final long serialVersionUID = 1L;

    public PeerIdentityException(String message) {
        super(message);
    }

    public PeerIdentityException(String message, Throwable cause) {
        super(message, cause);
    }
}
