package org.gcs.client.internal;

import org.gcs.api.AuthenticationException;
import org.gcs.api.DeviceOfflineException;
import org.gcs.api.GcsException;
import org.gcs.api.RefusedException;
import org.gcs.api.TransportException;
import org.gcs.api.UnknownUserException;
import org.gcs.client.GcsConnectException;
import org.gcs.client.HasStatus;
import org.gcs.client.Status;

/** Maps a daemon status to the most specific exception, every one of which carries the status ({@link HasStatus}). */
public final class Failures {
    private Failures() {
    }

    /**
     * @param status a status other than OK / ACCEPTED
     * @param context what was asked, e.g. {@code "connect to pk:bob/laptop app chat"}
     * @param daemonMessage the daemon's explanation, may be empty
     * @param connect whether the request was a ConnectApp ({@code FAILED} then means "no P2P path")
     */
    public static GcsException forStatus(Status status, String context, String daemonMessage, boolean connect) {
        String detail = daemonMessage == null || daemonMessage.isEmpty() ? context : context + ": " + daemonMessage;
        String message = status + ": " + detail;
        return switch (status) {
            case UNKNOWN_USER -> new UnknownUser(message);
            case DEVICE_OFFLINE -> new DeviceOffline(message);
            case REFUSED -> new Refused(message);
            case UNAUTHENTICATED -> new Unauthenticated(message);
            case FAILED -> connect ? new NoPath(message) : new GcsConnectException(status, detail);
            default -> new GcsConnectException(status, detail);
        };
    }

    private static final class UnknownUser extends UnknownUserException implements HasStatus {
        private static final long serialVersionUID = 1L;

        UnknownUser(String message) {
            super(message);
        }

        @Override
        public Status status() {
            return Status.UNKNOWN_USER;
        }
    }

    private static final class DeviceOffline extends DeviceOfflineException implements HasStatus {
        private static final long serialVersionUID = 1L;

        DeviceOffline(String message) {
            super(message);
        }

        @Override
        public Status status() {
            return Status.DEVICE_OFFLINE;
        }
    }

    private static final class Refused extends RefusedException implements HasStatus {
        private static final long serialVersionUID = 1L;

        Refused(String message) {
            super(message);
        }

        @Override
        public Status status() {
            return Status.REFUSED;
        }
    }

    private static final class Unauthenticated extends AuthenticationException implements HasStatus {
        private static final long serialVersionUID = 1L;

        Unauthenticated(String message) {
            super(message);
        }

        @Override
        public Status status() {
            return Status.UNAUTHENTICATED;
        }
    }

    private static final class NoPath extends TransportException implements HasStatus {
        private static final long serialVersionUID = 1L;

        NoPath(String message) {
            super(message);
        }

        @Override
        public Status status() {
            return Status.FAILED;
        }
    }
}
