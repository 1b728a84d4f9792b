package org.gcs.routing.kademlia.link;

/**
 * A call or message was refused at once and nothing was sent: the link already has
 * {@link LinkConfig#maxCallsInFlight()} calls waiting for answers, or more than {@link LinkConfig#maxWriteBufferBytes()}
 * bytes wait to be written because the peer does not read fast enough.
 */
public final class TooManyInFlightException extends LinkException {
    private static final long serialVersionUID = 1L;

    public TooManyInFlightException(String message) {
        super(message);
    }
}
