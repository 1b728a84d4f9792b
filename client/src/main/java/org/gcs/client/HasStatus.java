package org.gcs.client;

import org.osgi.annotation.versioning.ProviderType;

/**
 * Implemented by every exception this library raises for a daemon status other than {@code OK} / {@code ACCEPTED}.
 * The exception itself is the most specific type that fits ({@link org.gcs.api.UnknownUserException},
 * {@link org.gcs.api.DeviceOfflineException}, {@link org.gcs.api.RefusedException},
 * {@link org.gcs.api.AuthenticationException}, {@link org.gcs.api.TransportException}, or else
 * {@link GcsConnectException}), so applications can catch by type or switch on {@link #status()}.
 */
@ProviderType
public interface HasStatus {
    /** The status the daemon reported (or {@link Status#TIMEOUT} when the daemon did not answer in time). */
    Status status();
}
