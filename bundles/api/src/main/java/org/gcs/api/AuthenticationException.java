package org.gcs.api;

/** An identity could not be proven: bad signature, unknown scheme, or a key that does not match the name. */
public class AuthenticationException extends GcsException {
    private static final long serialVersionUID = 1L;

    public AuthenticationException(String message) {
        super(message);
    }

    public AuthenticationException(String message, Throwable cause) {
        super(message, cause);
    }
}
