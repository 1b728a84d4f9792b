package org.gcs.daemon.app;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Whom one endpoint of the application API lets past AppHello, and how long it waits: on TCP the cookie is required;
 * on the Unix socket the file permissions already admitted only the user, so no cookie is checked. Every endpoint
 * bounds its connections still waiting for their AppHello, so that connections from other users (who can reach a
 * TCP port) hold neither unbounded memory nor the Unix socket's share.
 */
public final class AppAdmission {
    private final String endpoint;
    private final ApiCookie cookie;
    private final Duration helloTimeout;
    private final int maxPending;
    private final AtomicInteger pending = new AtomicInteger();
    private final AtomicBoolean full = new AtomicBoolean();

    private AppAdmission(String endpoint, ApiCookie cookie, Duration helloTimeout, int maxPending) {
        if (helloTimeout.isNegative() || helloTimeout.isZero() || maxPending < 1) {
            throw new IllegalArgumentException("hello timeout and pending bound must be positive");
        }
        this.endpoint = endpoint;
        this.cookie = cookie;
        this.helloTimeout = helloTimeout;
        this.maxPending = maxPending;
    }

    /** An endpoint whose applications must present {@code cookie}. */
    public static AppAdmission withCookie(String endpoint, ApiCookie cookie, Duration helloTimeout, int maxPending) {
        return new AppAdmission(endpoint, java.util.Objects.requireNonNull(cookie, "cookie"), helloTimeout, maxPending);
    }

    /** An endpoint only the user can reach (the Unix socket in her private directory): no cookie needed. */
    public static AppAdmission ownerOnly(String endpoint, Duration helloTimeout, int maxPending) {
        return new AppAdmission(endpoint, null, helloTimeout, maxPending);
    }

    /** What this endpoint is, for logs: {@code tcp 127.0.0.1:7010}, {@code unix /home/...}. */
    public String endpoint() {
        return endpoint;
    }

    public Duration helloTimeout() {
        return helloTimeout;
    }

    public int maxPending() {
        return maxPending;
    }

    /** Connections now waiting for their AppHello. */
    public int pending() {
        return pending.get();
    }

    /** Whether AppHello must carry the cookie here. */
    public boolean cookieRequired() {
        return cookie != null;
    }

    /** Whether {@code presentedCookie} lets the application in (always, where no cookie is required). */
    boolean admits(String presentedCookie) {
        return cookie == null || cookie.matches(presentedCookie);
    }

    /** Counts a new connection as waiting for its AppHello, unless {@link #maxPending} already do. */
    boolean tryEnter() {
        while (true) {
            int now = pending.get();
            if (now >= maxPending) {
                return false;
            }
            if (pending.compareAndSet(now, now + 1)) {
                return true;
            }
        }
    }

    /** A connection counted by {@link #tryEnter} completed its AppHello or went away. */
    void leave() {
        if (pending.decrementAndGet() < maxPending) {
            full.set(false);
        }
    }

    /** True for the first refusal since the bound was last not reached: log that one, not each of a flood. */
    boolean firstRefusal() {
        return full.compareAndSet(false, true);
    }
}
