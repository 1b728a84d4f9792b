package org.gcs.routing.kademlia.dht;

import org.gcs.api.TransportException;

/** A DHT node did not answer a request within {@link KadConfig#rpcTimeoutMillis()}. */
public class RpcTimeoutException extends TransportException {
    private static final long serialVersionUID = 1L;

    public RpcTimeoutException(String message) {
        super(message);
    }
}
