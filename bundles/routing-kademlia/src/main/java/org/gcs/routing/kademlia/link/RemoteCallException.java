package org.gcs.routing.kademlia.link;

/**
 * The peer answered a call with an error: its handler failed (the peer's message says why) or, as
 * {@link PeerBusyException}, it had too many requests in service. The link stays open.
 */
public class RemoteCallException extends LinkException {
    private static final long serialVersionUID = 1L;
    private final String remoteMessage;

    public RemoteCallException(String message, String remoteMessage) {
        super(message);
        this.remoteMessage = remoteMessage;
    }

    /** The peer's own words, as it sent them. */
    public String remoteMessage() {
        return remoteMessage;
    }
}
