package org.gcs.api;

/**
 * An identity could not be checked now, which says nothing against it: the service that knows who owns a name is
 * unreachable, busy or asked to be left alone for a while. A login fails on it (the device tries again later), while a
 * device already logged in keeps its session, and a daemon starts anyway and leaves the check to the node.
 */
public class IdentityUnavailableException extends AuthenticationException {
    private static final long serialVersionUID = 1L;

    public IdentityUnavailableException(String message) {
        super(message);
    }

    public IdentityUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
