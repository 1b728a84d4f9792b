package org.gcs.node.stats;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * Counters that prove what a node carries: bytes on TLS connections (as on the wire, TLS records included) and on the
 * STUN socket, sessions and logins (and logins sent to other handler nodes), relayed connection requests, limits hit
 * and peers closed for not reading. Thread-safe.
 */
public final class NodeStats {
    private final LongAdder tlsBytesIn = new LongAdder();
    private final LongAdder tlsBytesOut = new LongAdder();
    private final LongAdder stunBytesIn = new LongAdder();
    private final LongAdder stunBytesOut = new LongAdder();
    private final AtomicLong sessionsCurrent = new AtomicLong();
    private final LongAdder loginsOk = new LongAdder();
    private final LongAdder loginsFailed = new LongAdder();
    private final LongAdder loginsRedirected = new LongAdder();
    private final LongAdder handlersAnswered = new LongAdder();
    private final LongAdder connectsRelayed = new LongAdder();
    private final LongAdder limited = new LongAdder();
    private final LongAdder slowReadersClosed = new LongAdder();
    private final LongAdder ownersRechecked = new LongAdder();
    private final LongAdder ownersLost = new LongAdder();
    private final LongAdder schemesGoneClosed = new LongAdder();

    public void tlsBytesIn(long n) {
        tlsBytesIn.add(n);
    }

    public void tlsBytesOut(long n) {
        tlsBytesOut.add(n);
    }

    public void stunBytesIn(long n) {
        stunBytesIn.add(n);
    }

    public void stunBytesOut(long n) {
        stunBytesOut.add(n);
    }

    public void sessionOpened() {
        sessionsCurrent.incrementAndGet();
    }

    public void sessionClosed() {
        sessionsCurrent.decrementAndGet();
    }

    public void loginOk() {
        loginsOk.increment();
    }

    public void loginFailed() {
        loginsFailed.increment();
    }

    /** A daemon logged in at a node that is not its user's handler and was sent to her handlers. */
    public void loginRedirected() {
        loginsRedirected.increment();
    }

    /** A daemon asked this node for a user's handlers (FindHandlers) and got them. */
    public void handlersAnswered() {
        handlersAnswered.increment();
    }

    public void connectRelayed() {
        connectsRelayed.increment();
    }

    /** A peer went over one of the node's limits (a refused login, connect, frame or connection). */
    public void limited() {
        limited.increment();
    }

    /** A logged-in device's key was asked again whether it owns its user id; {@code lost}: it does not any more. */
    public void ownerRechecked(boolean lost) {
        ownersRechecked.increment();
        if (lost) {
            ownersLost.increment();
        }
    }

    /** A session was closed because the provider of its scheme went away. */
    public void schemeGoneClosed() {
        schemesGoneClosed.increment();
    }

    /** A peer that did not read what the node sent it was closed. */
    public void slowReaderClosed() {
        slowReadersClosed.increment();
    }

    /** The counters under their {@code stats.properties} names, in a stable order. */
    public Map<String, Long> snapshot() {
        Map<String, Long> values = new LinkedHashMap<>();
        values.put("tls.bytes.in", tlsBytesIn.sum());
        values.put("tls.bytes.out", tlsBytesOut.sum());
        values.put("stun.bytes.in", stunBytesIn.sum());
        values.put("stun.bytes.out", stunBytesOut.sum());
        values.put("sessions.current", sessionsCurrent.get());
        values.put("logins.ok", loginsOk.sum());
        values.put("logins.failed", loginsFailed.sum());
        values.put("logins.redirected", loginsRedirected.sum());
        values.put("handlers.answered", handlersAnswered.sum());
        values.put("connects.relayed", connectsRelayed.sum());
        values.put("limits.hit", limited.sum());
        values.put("slow.readers.closed", slowReadersClosed.sum());
        values.put("owners.rechecked", ownersRechecked.sum());
        values.put("owners.lost", ownersLost.sum());
        values.put("sessions.closed.scheme.gone", schemesGoneClosed.sum());
        return values;
    }
}
