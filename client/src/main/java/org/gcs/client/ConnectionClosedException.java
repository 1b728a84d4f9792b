package org.gcs.client;

import org.gcs.api.GcsException;

/** The connection to the daemon closed (or the client was closed) before the request was answered. */
public class ConnectionClosedException extends GcsException {
    private static final long serialVersionUID = 1L;

    public ConnectionClosedException(String message) {
        super(message);
    }

    public ConnectionClosedException(String message, Throwable cause) {
        super(message, cause);
    }
}
