package org.gcs.client;

import java.util.Optional;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/**
 * The outcome a daemon reports for a request (see PROTOCOL.md, "Application &lt;-&gt; daemon"). Failures reach the
 * application as exceptions that implement {@link HasStatus}; {@link #of(Throwable)} reads the status back from any
 * failure, including one wrapped by a {@code CompletableFuture}.
 */
public enum Status {
    /** A query succeeded. */
    OK,
    /** The callee accepted the connection; the pipe is open. */
    ACCEPTED,
    /** The callee (application or user) said no. */
    REJECTED,
    /** Nobody with that id is online at the node. */
    UNKNOWN_USER,
    /** The user is known but that device is not connected. */
    DEVICE_OFFLINE,
    /** No application on the callee device listens for that app id. */
    UNKNOWN_APP,
    /** The callee does not accept requests from this user (not a friend). */
    REFUSED,
    /** No answer in time, from the callee or from the daemon. */
    TIMEOUT,
    /** Anything else, for a connect: no peer-to-peer path; the exception message says why. */
    FAILED,
    /** A party could not prove its identity. */
    UNAUTHENTICATED,
    /** Over one of the node's limits (connect rate, connects in flight); the message names it. Slow down and retry. */
    LIMITED;

    private static final int MAX_CAUSE_DEPTH = 16;

    /**
     * The status carried by {@code failure} or by one of its causes (unwrapping {@link CompletionException} and
     * {@link ExecutionException}), or empty if the failure did not come from a daemon status.
     */
    public static Optional<Status> of(Throwable failure) {
        Throwable t = failure;
        for (int depth = 0; t != null && depth < MAX_CAUSE_DEPTH; depth++) {
            if (t instanceof HasStatus carrier) {
                return Optional.of(carrier.status());
            }
            t = t.getCause();
        }
        return Optional.empty();
    }
}
