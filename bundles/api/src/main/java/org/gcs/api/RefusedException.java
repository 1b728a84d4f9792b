package org.gcs.api;

/** The callee does not accept requests from this caller (not on her friends list). */
public class RefusedException extends GcsException {
    private static final long serialVersionUID = 1L;

    public RefusedException(String message) {
        super(message);
    }

    public RefusedException(String message, Throwable cause) {
        super(message, cause);
    }
}
