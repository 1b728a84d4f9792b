package org.gcs.auth.bns;

import org.gcs.api.GcsException;

/** A name service could not answer; {@link #retryAfterMillis()} is set when it asked to be left alone for a while. */
public class NameServiceException extends GcsException {
    private final long retryAfterMillis;

    public NameServiceException(String message) {
        this(message, 0, null);
    }

    public NameServiceException(String message, long retryAfterMillis, Throwable cause) {
        super(message, cause);
        this.retryAfterMillis = retryAfterMillis;
    }

    public long retryAfterMillis() {
        return retryAfterMillis;
    }
}
