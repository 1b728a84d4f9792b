package org.gcs.daemon.core;

import static org.gcs.daemon.core.DaemonContext.hex;
import static org.gcs.daemon.core.DaemonContext.message;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import java.lang.System.Logger.Level;
import java.lang.System.Logger;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import org.gcs.api.UserId;
import org.gcs.api.transport.PeerSession;
import org.gcs.api.wire.NodeWire.NodeFrame;
import org.gcs.api.wire.NodeWire;
import org.gcs.daemon.node.NodeClient;

/**
 * Relays ICE signals through the node both ways: a session's own signals out, signed and numbered
 * ({@link SignalGate}), and the peer's in, to the session registered for the connection ({@link #register}), checked
 * when the connection is authenticated ({@link SignalCheck}) and buffered ({@link SignalBuffer}) while no session
 * exists yet.
 *
 * <p>Owns the session registry and the buffer, both under one lock. Threads: {@link #onSignal} and {@link #session}
 * run on the node connection's event loop; {@link #register} on a worker of the daemon's {@code threads};
 * {@link #closeSession} wherever a connect ends (the node connection's event loop, workers, the transport's callbacks,
 * the flows' timers, the thread closing the daemon); a {@link SignalGate} is fed by the transport's callbacks and
 * opened where the Connect or the answer was sent (the transport's callbacks); a {@link SignalCheck} delivers where its
 * signature check completes.
 */
final class SignalRelay {
    private static final Logger LOG = System.getLogger(SignalRelay.class.getName());
    static final int SIGNALS_PER_CONNECTION = 64;
    static final int BUFFERED_CONNECTIONS = 256;
    static final Duration SIGNAL_MAX_AGE = Duration.ofSeconds(60);

    private final DaemonContext ctx;
    private final Map<ByteString, Registered> sessions = new ConcurrentHashMap<>();
    private final Object signalLock = new Object();
    private final SignalBuffer buffer = new SignalBuffer(SIGNALS_PER_CONNECTION, BUFFERED_CONNECTIONS,
            SIGNAL_MAX_AGE.toNanos(), System::nanoTime);

    SignalRelay(DaemonContext ctx) {
        this.ctx = ctx;
    }

    /**
     * The signals one session emits, numbered and signed by this user ({@code AuthTranscript.signal}); those emitted
     * before the peer may hear of them (the caller's Connect, or the callee's answer, not yet sent) are held, at most
     * {@value #SIGNALS_PER_CONNECTION}, and relayed in order once {@link #open()}ed.
     */
    final class SignalGate implements Consumer<byte[]> {
        private final ByteString cid;
        private final boolean fromCaller;
        private long sequence;
        private List<NodeWire.Signal> held = new ArrayList<>();
        private boolean shut;

        SignalGate(ByteString cid, boolean fromCaller) {
            this.cid = cid;
            this.fromCaller = fromCaller;
        }

        @Override
        public void accept(byte[] payload) {
            NodeWire.Signal signal;
            synchronized (this) {
                if (shut) {
                    return; // the connect failed: the peer must hear nothing more of it
                }
                long n = ++sequence;
                signal = NodeWire.Signal.newBuilder().setConnectionId(cid).setPayload(ByteString.copyFrom(payload))
                        .setSequence(n)
                        .setSignature(ByteString.copyFrom(ctx.auth.signSignal(cid.toByteArray(), fromCaller, n, payload)))
                        .build();
                if (held != null) {
                    if (held.size() < SIGNALS_PER_CONNECTION) {
                        held.add(signal);
                    }
                    return;
                }
                sendSignal(signal); // under the lock: shut() cannot slip between the check and the send
            }
        }

        /** The connect ended without a channel: drops what is held and everything the session emits from now on. */
        synchronized void shut() {
            shut = true;
            held = null;
        }

        /** Relays what was held (under the lock, so that a signal emitted meanwhile cannot overtake it). */
        synchronized void open() {
            if (shut) {
                return;
            }
            if (held != null) {
                held.forEach(SignalRelay.this::sendSignal);
                held = null;
            }
        }
    }

    /**
     * Who must have signed a connection's incoming signals: the peer whose offer or answer was verified (authenticated
     * connections only). Signals are checked in arrival order; a bad signature or a sequence number not above the last
     * accepted one (a replay or a reordering by the node) drops the signal.
     */
    final class SignalCheck {
        private final ByteString cid;
        private final UserId peer;
        private final byte[] peerKey;
        private final boolean peerIsCaller;
        private CompletableFuture<Void> chain = CompletableFuture.completedFuture(null); // under signalLock
        private long last; // in chain order

        SignalCheck(ByteString cid, UserId peer, byte[] peerKey, boolean peerIsCaller) {
            this.cid = cid;
            this.peer = peer;
            this.peerKey = peerKey.clone();
            this.peerIsCaller = peerIsCaller;
        }

        /** Under signalLock, in arrival order. */
        void deliver(PeerSession s, NodeWire.Signal signal) {
            byte[] payload = signal.getPayload().toByteArray();
            long n = signal.getSequence();
            byte[] signature = signal.getSignature().toByteArray();
            chain = chain.thenCompose(v -> ctx.auth.verifySignal(peer, peerKey, cid.toByteArray(), peerIsCaller, n,
                    payload, signature)).handle((ok, err) -> {
                        if (err != null) {
                            LOG.log(Level.WARNING, "signal " + n + " for " + hex(cid) + " dropped: " + message(err));
                        } else if (n <= last) {
                            LOG.log(Level.WARNING, "signal " + n + " for " + hex(cid) + " dropped: replayed or out of "
                                    + "order (last accepted " + last + ")");
                        } else {
                            last = n;
                            SignalRelay.deliver(cid, s, payload);
                        }
                        return null;
                    });
        }
    }

    /** A session receiving signals, and how they are checked (null: not authenticated, taken as they come). */
    private record Registered(PeerSession session, SignalCheck check) {
        void deliver(ByteString cid, NodeWire.Signal signal) {
            if (check == null) {
                SignalRelay.deliver(cid, session, signal.getPayload().toByteArray());
            } else {
                check.deliver(session, signal);
            }
        }
    }

    /** A gate for what the session of {@code cid} signals; it holds everything until {@link SignalGate#open()}. */
    SignalGate gate(ByteString cid, boolean fromCaller) {
        return new SignalGate(cid, fromCaller);
    }

    /** A check that {@code peer}, with {@code peerKey}, signed each signal of {@code cid} (see {@link SignalCheck}). */
    SignalCheck check(ByteString cid, UserId peer, byte[] peerKey, boolean peerIsCaller) {
        return new SignalCheck(cid, peer, peerKey, peerIsCaller);
    }

    private void sendSignal(NodeWire.Signal signal) {
        NodeClient n = ctx.node;
        if (n == null || !n.send(NodeFrame.newBuilder().setSignal(signal).build())) {
            LOG.log(Level.DEBUG, "signal for " + hex(signal.getConnectionId()) + " dropped: not connected to the node");
        }
    }

    /**
     * From now on signals for {@code cid} go to {@code s}, first those that arrived earlier; with a {@code check} only
     * those its peer signed.
     */
    void register(ByteString cid, PeerSession s, SignalCheck check) {
        synchronized (signalLock) {
            Registered r = new Registered(s, check);
            sessions.put(cid, r);
            for (byte[] early : buffer.drain(cid)) {
                try {
                    r.deliver(cid, NodeWire.Signal.parseFrom(early));
                } catch (InvalidProtocolBufferException e) {
                    throw new IllegalStateException("a buffered signal no longer parses", e); // we serialised it
                }
            }
        }
    }

    /** A signal from the node: to its connection's session, or buffered until one registers. */
    void onSignal(NodeWire.Signal signal) {
        ByteString cid = signal.getConnectionId();
        synchronized (signalLock) {
            Registered r = sessions.get(cid);
            if (r != null) {
                r.deliver(cid, signal);
            } else if (!buffer.add(cid, signal.toByteArray())) {
                LOG.log(Level.DEBUG, "signal for " + hex(cid) + " dropped: buffer full");
            }
        }
    }

    /** The session registered for {@code cid}, null if none is. */
    PeerSession session(ByteString cid) {
        synchronized (signalLock) {
            Registered r = sessions.get(cid);
            return r == null ? null : r.session();
        }
    }

    private static void deliver(ByteString cid, PeerSession s, byte[] signal) {
        try {
            s.remoteSignal(signal);
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "signal for " + hex(cid) + " rejected by the transport: " + message(e));
        }
    }

    /** Unregisters {@code s} (if it still is registered for {@code cid}), drops signals buffered for it and closes it. */
    void closeSession(ByteString cid, PeerSession s) {
        synchronized (signalLock) {
            Registered r = sessions.get(cid);
            if (r != null && r.session() == s) {
                sessions.remove(cid, r);
            }
            buffer.drain(cid);
        }
        try {
            s.close();
        } catch (RuntimeException e) {
            LOG.log(Level.DEBUG, "closing session " + hex(cid) + ": " + e);
        }
    }

    /** The daemon is stopping: closes every registered session. */
    void close() {
        for (Map.Entry<ByteString, Registered> e : List.copyOf(sessions.entrySet())) {
            closeSession(e.getKey(), e.getValue().session());
        }
    }
}
