package org.gcs.api;

/** A peer sent input that breaks the protocol (malformed, oversize, out of order, unsupported version). */
public class ProtocolException extends GcsException {
    private static final long serialVersionUID = 1L;

    public ProtocolException(String message) {
        super(message);
    }

    public ProtocolException(String message, Throwable cause) {
        super(message, cause);
    }
}
