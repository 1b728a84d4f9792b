package org.gcs.daemon.core;

import com.google.protobuf.ByteString;
import io.netty.channel.EventLoopGroup;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import org.gcs.api.AppId;
import org.gcs.api.UserId;
import org.gcs.api.auth.UserCredential;
import org.gcs.api.transport.P2PTransport;
import org.gcs.daemon.app.AppControl;
import org.gcs.daemon.auth.SignedSignaling;
import org.gcs.daemon.friends.FriendsWatcher;
import org.gcs.daemon.node.NodeClient;

/**
 * What {@link Daemon} and its flows ({@link CallerFlow}, {@link CalleeFlow}, {@link SignalRelay}) share: settings,
 * transport, identity, friends, node client, executors and the applications' listen intents.
 *
 * <p>{@link Daemon#start()} fills the fields it makes in this order: {@link #group} and {@link #threads}, then
 * {@link #credential}, {@link #auth}, {@link #friends}, and {@link #node} last; the application API and the node
 * connection, the only ways into a flow, open only after what they need is set. Settings change at
 * {@link Daemon#reconfigure}; everything else is set once.
 */
final class DaemonContext {
    /** A listen intent: connects for {@code app} are announced on {@code control} and piped to {@code port}. */
    record Listening(AppId app, int port, AppControl control) {
    }

    private volatile DaemonSettings settings;
    /** What applications are told while the node connection is down: why it went down (e.g. another daemon took over). */
    private volatile String notConnected = "not connected to the node";
    final P2PTransport transport;
    final SecureRandom random = new SecureRandom();
    /** Who listens for which app: written by the application API, read by the callee's flow. */
    final Map<AppId, Listening> listeners = new ConcurrentHashMap<>();

    /** Runs the node connection, the application API and the local pipes; also the flows' timers. */
    EventLoopGroup group;
    /** Workers for what may block or linger (sessions being made, channels closing, decisions over a channel). */
    ExecutorService threads;
    UserCredential credential;
    SignedSignaling auth;
    FriendsWatcher friends;
    volatile NodeClient node;

    DaemonContext(DaemonSettings settings, P2PTransport transport) {
        this.settings = settings;
        this.transport = transport;
    }

    DaemonSettings settings() {
        return settings;
    }

    void settings(DaemonSettings next) {
        settings = next;
    }

    String notConnected() {
        return notConnected;
    }

    void notConnected(String why) {
        notConnected = why;
    }

    /** Whether a channel with {@code peer} must be authenticated end to end, by the settings and her friends entry. */
    boolean requiresAuth(UserId peer) {
        return settings.requiresAuth(friends.current().requiresAuth(peer));
    }

    static String hex(ByteString b) {
        return HexFormat.of().formatHex(b.toByteArray());
    }

    /** The message of what went wrong, unwrapped from the futures' wrappers. */
    static String message(Throwable t) {
        Throwable c = t;
        while ((c instanceof CompletionException || c instanceof ExecutionException) && c.getCause() != null) {
            c = c.getCause();
        }
        return c.getMessage() == null ? c.toString() : c.getMessage();
    }
}
