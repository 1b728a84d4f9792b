package org.gcs.api;

/** No peer-to-peer path could be established or it broke (ICE failure, secure channel failure, dead peer). */
public class TransportException extends GcsException {
    private static final long serialVersionUID = 1L;

    public TransportException(String message) {
        super(message);
    }

    public TransportException(String message, Throwable cause) {
        super(message, cause);
    }
}
