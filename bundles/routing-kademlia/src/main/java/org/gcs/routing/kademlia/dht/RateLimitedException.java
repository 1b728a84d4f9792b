package org.gcs.routing.kademlia.dht;

import org.gcs.api.GcsException;

/** A sender exceeded its inbound query budget ({@link KadConfig#rateLimitBurst()}); its request was not served. */
public class RateLimitedException extends GcsException {
    private static final long serialVersionUID = 1L;

    public RateLimitedException(String message) {
        super(message);
    }
}
