package org.gcs.auth.bns;

import org.gcs.api.GcsException;

/**
 * A name service could not answer; {@link #retryAfterMillis()} is set when it asked to be left alone for a while. Most
 * failures say nothing about the name (unreachable, busy, an error status, a garbled answer) and may pass; a
 * {@link #definite()} one is the service's real answer that the name cannot be used (a subdomain, which lives off
 * chain), as final as an expired name.
 */
public class NameServiceException extends GcsException {
    private final long retryAfterMillis;
    private final boolean definite;

    public NameServiceException(String message) {
        this(message, 0, null);
    }

    public NameServiceException(String message, long retryAfterMillis, Throwable cause) {
        this(message, retryAfterMillis, cause, false);
    }

    private NameServiceException(String message, long retryAfterMillis, Throwable cause, boolean definite) {
        super(message, cause);
        this.retryAfterMillis = retryAfterMillis;
        this.definite = definite;
    }

    /** The service's definite answer that this name cannot log in (not a failure of the service). */
    public static NameServiceException refusal(String message) {
        return new NameServiceException(message, 0, null, true);
    }

    /** Whether this is the service's real answer about the name rather than a failure to answer. */
    public boolean definite() {
        return definite;
    }

    public long retryAfterMillis() {
        return retryAfterMillis;
    }
}
