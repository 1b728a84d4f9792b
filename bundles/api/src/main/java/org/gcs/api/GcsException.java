package org.gcs.api;

/**
 * The root of every failure GCS reports. Subclasses say whose fault it was: a peer that misbehaved
 * ({@link ProtocolException}), an identity that did not check out ({@link AuthenticationException}), a party
 * that said no or was not there ({@link RefusedException}, {@link UnknownUserException},
 * {@link DeviceOfflineException}), or a path that could not be made ({@link TransportException}).
 */
public class GcsException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public GcsException(String message) {
        super(message);
    }

    public GcsException(String message, Throwable cause) {
        super(message, cause);
    }
}
