package org.gcs.routing.kademlia.link;

import org.gcs.api.GcsException;

/**
 * The root of every failure of a link or of a call over it. Subclasses say what happened:
 * <ul>
 *   <li>{@link LinkClosedException}: the link is closed, broke, or could not be opened (the message says why);
 *       {@link PeerIdentityException} when the peer is not the node it should be;</li>
 *   <li>{@link CallTimeoutException}: no answer in time; the link stays open;</li>
 *   <li>{@link TooManyInFlightException}: refused at once, nothing was sent (local limit or a peer that does not read);</li>
 *   <li>{@link RemoteCallException}: the peer answered with an error; {@link PeerBusyException} when it was too busy.</li>
 * </ul>
 */
public class LinkException extends GcsException {
    private static final long serialVersionUID = 1L;

    public LinkException(String message) {
        super(message);
    }

    public LinkException(String message, Throwable cause) {
        super(message, cause);
    }
}
