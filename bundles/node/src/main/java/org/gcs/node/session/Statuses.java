package org.gcs.node.session;

import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import org.gcs.api.DeviceOfflineException;
import org.gcs.api.RefusedException;
import org.gcs.api.UnknownUserException;
import org.gcs.api.wire.NodeWire.Status;

/** Maps routing failures to the wire status a daemon receives. */
public final class Statuses {
    private Statuses() {
    }

    /** {@code UNKNOWN_USER}, {@code DEVICE_OFFLINE}, {@code REFUSED}, or {@code FAILED} for anything else. */
    public static Status of(Throwable failure) {
        Throwable cause = unwrap(failure);
        if (cause instanceof UnknownUserException) {
            return Status.UNKNOWN_USER;
        }
        if (cause instanceof DeviceOfflineException) {
            return Status.DEVICE_OFFLINE;
        }
        if (cause instanceof RefusedException) {
            return Status.REFUSED;
        }
        return Status.FAILED;
    }

    /** The failure inside completion wrappers. */
    public static Throwable unwrap(Throwable failure) {
        Throwable cause = failure;
        while ((cause instanceof CompletionException || cause instanceof ExecutionException) && cause.getCause() != null) {
            cause = cause.getCause();
        }
        return cause;
    }

    /** A message for logs and for the wire: the unwrapped failure's message, or its type. */
    public static String describe(Throwable failure) {
        Throwable cause = unwrap(failure);
        return cause.getMessage() != null ? cause.getMessage() : cause.getClass().getSimpleName();
    }
}
