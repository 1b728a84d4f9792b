package org.gcs.daemon.node;

import java.io.IOException;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import org.gcs.api.routing.NodeAddress;
import org.gcs.internal.files.AtomicFiles;

/**
 * Which node a daemon tries next: the user's handlers as last learned (from a bootstrap node's
 * {@code DetectedHandlers}, a {@code Redirect}, or the file remembered from an earlier run), each once in turn starting
 * after the one it was logged in to, then a bootstrap node to ask again. Remembered handlers are written to
 * {@code file} (one {@code host:port#id} a line) whenever they change. Thread-safe.
 */
final class HandlerMemory {
    private static final Logger LOG = System.getLogger(HandlerMemory.class.getName());

    /** One connection attempt: the node, and whether to ask it for the handlers before logging in. */
    record Attempt(NodeAddress node, boolean findHandlers) {
    }

    private final List<NodeAddress> bootstrap;
    private final Path file;
    private List<NodeAddress> handlers;
    private int cursor;
    private int handlerTries;
    private int bootstrapCursor;
    private int triesSinceLogin;

    HandlerMemory(List<NodeAddress> bootstrap, Path file) {
        this.bootstrap = List.copyOf(bootstrap);
        this.file = file;
        this.handlers = load(file);
    }

    /** The handlers as last learned, the most preferred first. */
    synchronized List<NodeAddress> handlers() {
        return handlers;
    }

    /** The next node to try. */
    synchronized Attempt next() {
        triesSinceLogin++;
        if (!handlers.isEmpty() && handlerTries < handlers.size()) {
            NodeAddress node = handlers.get(cursor % handlers.size());
            cursor = (cursor + 1) % handlers.size();
            handlerTries++;
            return new Attempt(node, false);
        }
        handlerTries = 0;
        NodeAddress node = bootstrap.get(bootstrapCursor % bootstrap.size());
        bootstrapCursor = (bootstrapCursor + 1) % bootstrap.size();
        return new Attempt(node, true);
    }

    /** A node named the user's handlers: try them from the first on, and remember them. */
    synchronized void learned(List<NodeAddress> found) {
        List<NodeAddress> copy = List.copyOf(found);
        cursor = 0;
        handlerTries = 0;
        if (!copy.equals(handlers)) {
            handlers = copy;
            store(copy);
        }
    }

    /** Logged in at {@code node}: if it goes away, the next handler after it is tried first. */
    synchronized void loggedIn(NodeAddress node) {
        int index = handlers.indexOf(node);
        cursor = index < 0 ? 0 : (index + 1) % handlers.size();
        handlerTries = 0;
        triesSinceLogin = 0;
    }

    /** An attempt at {@code node} failed (no connection, refused login). */
    synchronized void failed(NodeAddress node) {
        LOG.log(Level.DEBUG, () -> "attempt at " + node + " failed");
    }

    /**
     * Whether the next attempt should start at once: yes while every known handler and one bootstrap node have not
     * yet been tried since the last login (a failover or a redirect), no after that (back off).
     */
    synchronized boolean worthAnImmediateTry() {
        return triesSinceLogin <= handlers.size() + 1;
    }

    private static List<NodeAddress> load(Path file) {
        if (file == null || !Files.isRegularFile(file)) {
            return List.of();
        }
        List<NodeAddress> out = new ArrayList<>();
        try {
            int number = 0;
            for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                number++;
                if (line.isBlank() || line.startsWith("#")) {
                    continue;
                }
                try {
                    out.add(NodeAddress.parse(line));
                } catch (IllegalArgumentException e) {
                    LOG.log(Level.WARNING, file + " line " + number + " ignored: " + e.getMessage());
                }
            }
        } catch (IOException e) {
            LOG.log(Level.WARNING, "remembered handlers not read from " + file + ": " + e.getMessage());
        }
        if (!out.isEmpty()) {
            LOG.log(Level.INFO, "remembered handlers: " + out);
        }
        return List.copyOf(out);
    }

    private void store(List<NodeAddress> list) {
        if (file == null) {
            return;
        }
        try {
            AtomicFiles.replace(file, "# the handler nodes of this user, the most preferred first (host:port#node-id)\n"
                    + list.stream().map(NodeAddress::toString).collect(Collectors.joining("\n")) + "\n");
        } catch (IOException e) {
            LOG.log(Level.WARNING, "handlers not remembered in " + file + ": " + e.getMessage());
        }
    }
}
