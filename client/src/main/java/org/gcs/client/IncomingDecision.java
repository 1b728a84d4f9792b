package org.gcs.client;

import java.util.Optional;
import java.util.function.Consumer;

/**
 * What an {@link IncomingHandler} answers to a request: reject it, accept it and collect the pipe with
 * {@link Listener#accept(java.time.Duration)}, or accept it and have the pipe handed to a callback (run on a thread of
 * its own, so it may block).
 */
public final class IncomingDecision {
    private static final IncomingDecision ACCEPT = new IncomingDecision(true, null);
    private static final IncomingDecision REJECT = new IncomingDecision(false, null);

    private final boolean accept;
    private final Consumer<PeerConnection> onOpen;

    private IncomingDecision(boolean accept, Consumer<PeerConnection> onOpen) {
        this.accept = accept;
        this.onOpen = onOpen;
    }

    /** Accept; the opened pipe is queued for {@link Listener#accept(java.time.Duration)}. */
    public static IncomingDecision accept() {
        return ACCEPT;
    }

    /** Accept; the opened pipe is passed to {@code onOpen}, which owns (and must close) it. */
    public static IncomingDecision accept(Consumer<PeerConnection> onOpen) {
        if (onOpen == null) {
            throw new IllegalArgumentException("onOpen is missing");
        }
        return new IncomingDecision(true, onOpen);
    }

    /** Reject; the caller gets {@link Status#REJECTED}. */
    public static IncomingDecision reject() {
        return REJECT;
    }

    /** {@link #accept()} if {@code accept}, else {@link #reject()}. */
    public static IncomingDecision of(boolean accept) {
        return accept ? ACCEPT : REJECT;
    }

    public boolean accepted() {
        return accept;
    }

    /** The callback given to {@link #accept(Consumer)}, if any. */
    public Optional<Consumer<PeerConnection>> onOpen() {
        return Optional.ofNullable(onOpen);
    }

    @Override
    public String toString() {
        return accept ? (onOpen == null ? "accept" : "accept(callback)") : "reject";
    }
}
