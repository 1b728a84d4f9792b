package org.gcs.client;

import org.gcs.api.GcsException;

/**
 * A request to the daemon ended with a status that has no more specific exception type: {@link Status#REJECTED},
 * {@link Status#UNKNOWN_APP}, {@link Status#TIMEOUT} or {@link Status#FAILED} (for queries).
 */
public class GcsConnectException extends GcsException implements HasStatus {
    private static final long serialVersionUID = 1L;

    private final Status status;

    public GcsConnectException(Status status, String message) {
        super(status + ": " + message);
        this.status = status;
    }

    @Override
    public Status status() {
        return status;
    }
}
