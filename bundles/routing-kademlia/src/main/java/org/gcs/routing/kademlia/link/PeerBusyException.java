package org.gcs.routing.kademlia.link;

/** The peer refused a call unserved: it already serves {@link LinkConfig#maxRequestsInService()} requests on this link. */
public final class PeerBusyException extends RemoteCallException {
    private static final long serialVersionUID = 1L;

    public PeerBusyException(String message, String remoteMessage) {
        super(message, remoteMessage);
    }
}
