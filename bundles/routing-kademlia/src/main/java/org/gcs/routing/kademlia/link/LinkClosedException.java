package org.gcs.routing.kademlia.link;

/**
 * The link is closed, broke, or could not be opened (connection refused, TLS failure, refused hello, endpoint closed,
 * idle peer, protocol violation). A call that fails with it may or may not have reached the peer. Ask
 * {@link LinkEndpoint#link} again for a new link.
 */
public class LinkClosedException extends LinkException {
    private static final long serialVersionUID = 1L;

    public LinkClosedException(String message) {
        super(message);
    }

    public LinkClosedException(String message, Throwable cause) {
        super(message, cause);
    }
}
