package org.gcs.client.internal;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Pairs the TCP connections a daemon opens to a listener with the {@code ConnectionOpened} reports that name them by
 * the daemon's source port; either may come first. Holds at most {@code max} of each kind waiting. Thread-safe.
 *
 * @param <S> the socket type
 * @param <O> the report type
 */
public final class PortMatcher<S, O> {
    /** What an offer led to. */
    public sealed interface Result<S, O> {
    }

    /** Both halves are here. */
    public record Paired<S, O>(S socket, O opened) implements Result<S, O> {
    }

    /** Stored until the other half comes (or is dropped). */
    public record Waiting<S, O>() implements Result<S, O> {
    }

    /** Not stored: too many waiting, or one already waits on that port. The caller disposes of it. */
    public record Rejected<S, O>(String reason) implements Result<S, O> {
    }

    private final int max;
    private final Map<Integer, S> sockets = new HashMap<>();
    private final Map<Integer, O> reports = new HashMap<>();

    public PortMatcher(int max) {
        this.max = max;
    }

    public synchronized Result<S, O> offerSocket(int port, S socket) {
        O report = reports.remove(port);
        if (report != null) {
            return new Paired<>(socket, report);
        }
        if (sockets.containsKey(port)) {
            return new Rejected<>("a connection from port " + port + " is already waiting");
        }
        if (sockets.size() >= max) {
            return new Rejected<>(max + " unpaired connections already waiting");
        }
        sockets.put(port, socket);
        return new Waiting<>();
    }

    public synchronized Result<S, O> offerOpened(int port, O report) {
        S socket = sockets.remove(port);
        if (socket != null) {
            return new Paired<>(socket, report);
        }
        if (reports.containsKey(port)) {
            return new Rejected<>("a report for port " + port + " is already waiting");
        }
        if (reports.size() >= max) {
            return new Rejected<>(max + " unpaired reports already waiting");
        }
        reports.put(port, report);
        return new Waiting<>();
    }

    /** Removes {@code socket} if it still waits on {@code port}; true if it did. */
    public synchronized boolean dropSocket(int port, S socket) {
        return sockets.remove(port, socket);
    }

    /** Removes {@code report} if it still waits on {@code port}; true if it did. */
    public synchronized boolean dropOpened(int port, O report) {
        return reports.remove(port, report);
    }

    /** Removes and returns every waiting socket (on close). */
    public synchronized List<S> drainSockets() {
        List<S> all = new ArrayList<>(sockets.values());
        sockets.clear();
        reports.clear();
        return all;
    }

    public synchronized int waitingSockets() {
        return sockets.size();
    }

    public synchronized int waitingReports() {
        return reports.size();
    }
}
