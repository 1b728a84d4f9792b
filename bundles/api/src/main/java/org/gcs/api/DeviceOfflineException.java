package org.gcs.api;

/** The user is online but not on the named device. */
public class DeviceOfflineException extends GcsException {
    private static final long serialVersionUID = 1L;

    public DeviceOfflineException(String message) {
        super(message);
    }

    public DeviceOfflineException(String message, Throwable cause) {
        super(message, cause);
    }
}
