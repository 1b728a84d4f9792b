package org.gcs.routing.kademlia.dht;

import org.gcs.api.GcsException;

/** The DHT node was stopped: it neither serves nor starts requests any more. */
public class DhtStoppedException extends GcsException {
    private static final long serialVersionUID = 1L;

    public DhtStoppedException(String message) {
        super(message);
    }
}
