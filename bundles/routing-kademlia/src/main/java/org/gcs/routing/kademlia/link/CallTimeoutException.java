package org.gcs.routing.kademlia.link;

/** A call got no answer within its timeout; the link stays open and a late answer is dropped. */
public final class CallTimeoutException extends LinkException {
    private static final long serialVersionUID = 1L;

    public CallTimeoutException(String message) {
        super(message);
    }
}
