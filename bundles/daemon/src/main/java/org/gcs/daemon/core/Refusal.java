package org.gcs.daemon.core;

import org.gcs.api.wire.NodeWire.Status;

/**
 * Every reason this device says no to a connect request before a channel exists, and the one place that decides what
 * the node (and through it the caller) hears of it.
 *
 * <p>In privacy mode {@code upload} the node holds the friends list anyway: the caller gets the precise status. In
 * modes {@code local} and {@code local-authenticated} any difference would tell the node who is on the list (only a
 * friend's request gets as far as the channel type, the signature or the application), so every reason is answered
 * with the same {@code REFUSED} and the same message, {@value #DECLINED}, and nothing else in the response; the precise
 * reason stays in this daemon's log. The answers are all given as soon as the reason is known, without waiting on
 * anything the caller controls, so they also fall in one timing class (an application's own no, which takes a person's
 * time, is the exception README names).
 */
enum Refusal {
    /** The request names a caller, device or app that does not parse. */
    BAD_REQUEST(Status.FAILED),
    /** The caller is not on the friends list (in the local modes; in upload mode the node refused already). */
    NOT_A_FRIEND(Status.REFUSED),
    /** No application listens for the app the caller named, or it stopped listening. */
    UNKNOWN_APP(Status.UNKNOWN_APP),
    /** The channel type is not one this daemon supports. */
    UNSUPPORTED_TYPE(Status.FAILED),
    /** The caller's offer failed authentication (signature, key, age or replay). */
    UNAUTHENTICATED(Status.UNAUTHENTICATED),
    /** The application said no, or did not decide in time. */
    REJECTED(Status.REJECTED),
    /** The channel could not be prepared (transport failure) or the offer is unusable. */
    TRANSPORT(Status.FAILED);

    /** The one answer to the node for every refusal in privacy modes local and local-authenticated. */
    static final String DECLINED = "the callee declined";

    private final Status precise;

    Refusal(Status precise) {
        this.precise = precise;
    }

    /** What the node hears: status and message. */
    record Answer(Status status, String message) {
    }

    /** The answer for this reason in {@code privacy}; {@code detail} is used only where the mode allows it. */
    Answer answer(DaemonSettings.Privacy privacy, String detail) {
        return privacy == DaemonSettings.Privacy.UPLOAD ? new Answer(precise, detail) : new Answer(Status.REFUSED, DECLINED);
    }
}
