package org.gcs.api;

/** No user with this id is online at the node that handles her. */
public class UnknownUserException extends GcsException {
    private static final long serialVersionUID = 1L;

    public UnknownUserException(String message) {
        super(message);
    }

    public UnknownUserException(String message, Throwable cause) {
        super(message, cause);
    }
}
