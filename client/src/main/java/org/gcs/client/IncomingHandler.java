package org.gcs.client;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * Decides on the connection requests that reach a {@link Listener}. Called on one thread per listener, one request at
 * a time; it may block (for example to ask the user), but the caller's daemon gives up after its connect timeout.
 * A handler that throws rejects the request.
 */
@ConsumerType
@FunctionalInterface
public interface IncomingHandler {
    IncomingDecision decide(IncomingRequest request);

    /** A handler that accepts every request the daemon forwards (the daemon already drops callers who are not friends). */
    static IncomingHandler acceptAll() {
        return request -> IncomingDecision.accept();
    }
}
