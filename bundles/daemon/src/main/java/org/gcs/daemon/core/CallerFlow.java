package org.gcs.daemon.core;

import static org.gcs.daemon.core.DaemonContext.hex;
import static org.gcs.daemon.core.DaemonContext.message;

import com.google.protobuf.ByteString;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.lang.System.Logger;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.gcs.api.AppId;
import org.gcs.api.DeviceId;
import org.gcs.api.UserId;
import org.gcs.api.auth.AuthTranscript;
import org.gcs.api.transport.ChannelType;
import org.gcs.api.transport.P2PChannel;
import org.gcs.api.transport.PeerSession;
import org.gcs.api.transport.Role;
import org.gcs.api.transport.SessionOptions;
import org.gcs.api.wire.NodeWire.NodeFrame;
import org.gcs.api.wire.NodeWire.Status;
import org.gcs.api.wire.NodeWire;
import org.gcs.daemon.app.AppBackend.ConnectOutcome;
import org.gcs.daemon.app.AppBackend.Outgoing;
import org.gcs.daemon.auth.SignedSignaling;
import org.gcs.daemon.node.NodeClient;

/**
 * The caller's side of every connection: {@code ConnectApp} from an app -> a {@code CONTROLLING} session,
 * {@code Connect} with its offer signed by the user's key -> on {@code ConnectResult{ACCEPTED}} the answer's signature
 * is checked (when authentication is required), the answer goes to the session, and once the channel is up (and a
 * deferred decision arrived over it, {@link ChannelDecision}) the attempt's outcome carries the channel, which the
 * application API makes the app's pipe. An application that hangs up before the result cancels the attempt and, if the
 * Connect went out, tells the callee ({@code ConnectCancel}).
 *
 * <p>Owns the attempts under way. Threads: {@link #connect} runs on the application connection's event loop and makes
 * the session on the daemon's {@code threads}; {@link #onConnectResult} and {@link #failAll} on the node connection's
 * event loop (failAll also on the thread that closes the daemon); the answer's check, the session's answer and the
 * wait for a deferred decision on {@code threads}; the channel's completion on the transport's callbacks; timeouts on
 * the daemon's event loop group. An attempt finishes once, whichever comes first.
 */
final class CallerFlow {
    private static final Logger LOG = System.getLogger(CallerFlow.class.getName());
    /** Extra time a caller's session gets for ICE after the callee's answer. */
    static final Duration ICE_TIME = Duration.ofSeconds(15);

    private final DaemonContext ctx;
    private final SignalRelay relay;
    private final Map<ByteString, OutgoingAttempt> outgoing = new ConcurrentHashMap<>();

    CallerFlow(DaemonContext ctx, SignalRelay relay) {
        this.ctx = ctx;
        this.relay = relay;
    }

    /** Attempts waiting for their result. */
    int pending() {
        return outgoing.size();
    }

    /** Ends every attempt under way with {@code FAILED} and {@code why}: the node connection is lost, or the daemon stops. */
    void failAll(String why) {
        for (OutgoingAttempt a : List.copyOf(outgoing.values())) {
            a.finish(Status.FAILED, why, null);
        }
    }

    /** From the application API: starts a connect; its outcome completes {@link Outgoing#result()} once. */
    Outgoing connect(UserId user, DeviceId device, AppId app, AppId fromApp, ChannelType type) {
        byte[] id = new byte[16];
        ctx.random.nextBytes(id);
        OutgoingAttempt a = new OutgoingAttempt(id, new AuthTranscript.Connection(id, ctx.credential.user(),
                ctx.settings().device(), fromApp, user, device, app, type), ctx.requiresAuth(user));
        LOG.log(Level.INFO, "connect " + a.label + " to " + user + "/" + device + " app " + app + " from app " + fromApp
                + " (" + type + (a.authRequired ? ", mutual authentication" : "") + ")");
        NodeClient n = ctx.node;
        if (n == null || !n.connected()) {
            a.finish(Status.FAILED, ctx.notConnected(), null);
            return a;
        }
        outgoing.put(a.cid, a);
        a.timer = ctx.group.schedule(() -> a.finish(Status.TIMEOUT, "no answer within "
                + ctx.settings().connectTimeout().toSeconds() + " s", null), ctx.settings().connectTimeout().toMillis(),
                TimeUnit.MILLISECONDS);
        ctx.threads.execute(() -> {
            PeerSession s;
            try {
                s = ctx.transport.newSession(new SessionOptions(Role.CONTROLLING, type, n.iceServers(),
                        ctx.settings().connectTimeout().plus(ICE_TIME)), a.signals);
            } catch (RuntimeException e) {
                a.finish(Status.FAILED, "transport: " + message(e), null);
                return;
            }
            a.session = s;
            if (a.result.isDone()) {
                s.close();
                return;
            }
            s.localDescription().whenComplete((offer, err) -> {
                if (err != null) {
                    a.finish(Status.FAILED, "transport: " + message(err), null);
                    return;
                }
                SignedSignaling.SignedOffer signed = ctx.auth.signOffer(a.connection, offer);
                a.offerHash = signed.transcriptHash();
                boolean sent;
                synchronized (a) {
                    // decided under the attempt's lock with cancel(): either the application hung up first and no
                    // Connect goes out, or the Connect is queued before any ConnectCancel
                    if (a.result.isDone()) {
                        return; // the application hung up (or the attempt failed) while the offer was made: no Connect
                    }
                    sent = n.send(NodeFrame.newBuilder().setConnect(NodeWire.Connect.newBuilder()
                            .setConnectionId(a.cid)
                            .setCalleeUser(user.toString())
                            .setCalleeDevice(device.name())
                            .setCalleeApp(app.name())
                            .setCallerApp(fromApp.name())
                            .setType(wire(type))
                            .setOffer(ByteString.copyFrom(offer))
                            .setOfferSignature(ByteString.copyFrom(signed.signature()))
                            .setCallerPublicKey(ByteString.copyFrom(signed.publicKey()))
                            .setTimestampMs(signed.timestampMillis())).build());
                    a.connectSent = sent;
                }
                if (!sent) {
                    a.finish(Status.FAILED, ctx.notConnected(), null);
                } else {
                    a.signals.open();
                }
            });
        });
        return a;
    }

    /** One outgoing attempt, from ConnectApp to its single outcome. */
    private final class OutgoingAttempt implements Outgoing {
        final byte[] id;
        final ByteString cid;
        final String label;
        final CompletableFuture<ConnectOutcome> result = new CompletableFuture<>();
        /** The ids as this caller's app asked for them: what the callee's answer must be signed over. */
        final AuthTranscript.Connection connection;
        final boolean authRequired;
        volatile byte[] offerHash;
        volatile PeerSession session;
        /** The Connect went to the node: the callee may have heard of it, so giving up must tell it. */
        volatile boolean connectSent;
        volatile ScheduledFuture<?> timer;

        OutgoingAttempt(byte[] id, AuthTranscript.Connection connection, boolean authRequired) {
            this.id = id.clone();
            this.cid = ByteString.copyFrom(id);
            this.label = HexFormat.of().formatHex(id);
            this.connection = connection;
            this.authRequired = authRequired;
            this.signals = relay.gate(cid, true);
        }

        /** Signals emitted before Connect went out would reach the node before the connection exists: held until then. */
        final SignalRelay.SignalGate signals;

        @Override
        public byte[] connectionId() {
            return id.clone();
        }

        @Override
        public CompletableFuture<ConnectOutcome> result() {
            return result;
        }

        @Override
        public void cancel() {
            boolean tell;
            synchronized (this) {
                tell = !result.isDone() && connectSent;
                finish(Status.FAILED, "the application closed its connection", null);
            }
            NodeClient n = ctx.node;
            if (tell && n != null) {
                // the callee must not go on asking its application, or open a pipe nobody reads
                n.send(NodeFrame.newBuilder().setConnectCancel(NodeWire.ConnectCancel.newBuilder().setConnectionId(cid)
                        .setReason("the caller's application hung up")).build());
                LOG.log(Level.INFO, "connect " + label + " cancelled: the application hung up before the result");
            }
        }

        void finish(Status status, String message, P2PChannel channel) {
            outgoing.remove(cid, this);
            ScheduledFuture<?> t = timer;
            if (t != null) {
                t.cancel(false);
            }
            if (!result.complete(new ConnectOutcome(status, message, channel))) {
                if (channel != null) {
                    ctx.threads.execute(channel::close); // closing lingers; this may run on the transport's I/O thread
                }
                return;
            }
            LOG.log(Level.INFO, "connect " + label + " result " + status
                    + (message == null || message.isEmpty() ? "" : " (" + message + ")")
                    + (channel != null ? ", channel path " + channel.path() : ""));
            if (status != Status.ACCEPTED) {
                signals.shut(); // refused, unknown, offline, failed: no signal follows the result
                PeerSession s = session;
                if (s != null) {
                    relay.closeSession(cid, s);
                }
            }
        }
    }

    /** The node's answer to one of this daemon's Connects. */
    void onConnectResult(NodeWire.ConnectResult r) {
        OutgoingAttempt a = outgoing.remove(r.getConnectionId());
        if (a == null) {
            LOG.log(Level.INFO, "ignoring ConnectResult " + r.getStatus() + " for unknown connection " + hex(r.getConnectionId()));
            return;
        }
        if (r.getStatus() != Status.ACCEPTED) {
            Status status = r.getStatus() == Status.STATUS_UNSPECIFIED || r.getStatus() == Status.OK ? Status.FAILED : r.getStatus();
            a.finish(status, r.getMessage(), null);
            return;
        }
        PeerSession s = a.session;
        byte[] offerHash = a.offerHash;
        if (s == null || offerHash == null || a.result.isDone()) {
            a.finish(Status.FAILED, "answer arrived for an attempt without a session", null);
            return;
        }
        ScheduledFuture<?> t = a.timer;
        if (t != null) {
            t.cancel(false);
        }
        byte[] answer = r.getAnswer().toByteArray();
        byte[] calleeKey = r.getCalleePublicKey().toByteArray();
        if (!a.authRequired) {
            LOG.log(Level.INFO, "connect " + a.label + " accepted by the callee, opening the P2P channel");
            ctx.threads.execute(() -> openOutgoing(a, s, answer, r.getDeferredDecision(), calleeKey));
            return;
        }
        ctx.auth.verifyAnswer(a.connection, offerHash, r.getDeferredDecision(), answer, r.getAnswerSignature().toByteArray(),
                r.getCalleePublicKey().toByteArray()).whenCompleteAsync((ok, err) -> {
                    if (err != null) {
                        LOG.log(Level.WARNING, "connect " + a.label + ": authentication of the callee failed: " + message(err));
                        a.finish(Status.UNAUTHENTICATED, "the callee's answer failed authentication: " + message(err), null);
                        return;
                    }
                    LOG.log(Level.INFO, "connect " + a.label + " accepted by the callee, answer signed by "
                            + a.connection.calleeUser() + ", opening the P2P channel");
                    openOutgoing(a, s, answer, r.getDeferredDecision(), calleeKey);
                }, ctx.threads);
    }

    /** On a worker: feeds the answer to the session and waits for the channel (and a deferred decision). */
    private void openOutgoing(OutgoingAttempt a, PeerSession s, byte[] answer, boolean deferredDecision,
            byte[] calleeKey) {
        try {
            s.remoteDescription(answer);
        } catch (RuntimeException e) {
            a.finish(Status.FAILED, "the callee's answer is unusable: " + message(e), null);
            return;
        }
        relay.register(a.cid, s, a.authRequired ? relay.check(a.cid, a.connection.calleeUser(), calleeKey, false)
                : null);
        Duration limit = ctx.settings().connectTimeout().plus(ICE_TIME).plusSeconds(5);
        ScheduledFuture<?> guard = ctx.group.schedule(() -> a.finish(Status.FAILED,
                "no P2P channel within " + limit.toSeconds() + " s", null), limit.toMillis(), TimeUnit.MILLISECONDS);
        s.channel().whenComplete((ch, err) -> {
            guard.cancel(false);
            if (err != null) {
                a.finish(Status.FAILED, "no P2P path: " + message(err), null);
                return;
            }
            ch.closeFuture().whenComplete((v, e) -> relay.closeSession(a.cid, s));
            if (!deferredDecision) {
                a.finish(Status.ACCEPTED, "", ch);
                return;
            }
            LOG.log(Level.INFO, "connect " + a.label + ": authenticated channel open, waiting for the callee application");
            ctx.threads.execute(() -> awaitDecision(a, ch));
        });
    }

    /** On a worker: the callee application's decision over the channel, bounded by the connect timeout. */
    private void awaitDecision(OutgoingAttempt a, P2PChannel ch) {
        Duration limit = ctx.settings().connectTimeout();
        ScheduledFuture<?> guard = ctx.group.schedule(() -> {
            a.finish(Status.TIMEOUT, "the callee application did not decide within " + limit.toSeconds() + " s", null);
            ch.close();
        }, limit.toMillis(), TimeUnit.MILLISECONDS);
        ChannelDecision.Received d;
        try {
            d = ChannelDecision.await(ch);
        } catch (IOException | RuntimeException e) {
            d = null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            d = null;
        }
        guard.cancel(false);
        if (d == null) {
            a.finish(Status.FAILED, "the channel closed before the callee application decided", null);
            ch.close();
            return;
        }
        switch (d.code()) {
            case ChannelDecision.ACCEPTED -> a.finish(Status.ACCEPTED, "", d.channel());
            case ChannelDecision.REJECTED -> {
                a.finish(Status.REJECTED, "the application rejected the connection", null);
                ch.close();
            }
            case ChannelDecision.UNKNOWN_APP -> {
                a.finish(Status.UNKNOWN_APP, "the application stopped listening", null);
                ch.close();
            }
            default -> {
                a.finish(Status.FAILED, "unknown decision " + d.code() + " from the callee", null);
                ch.close();
            }
        }
    }

    private static NodeWire.ChannelType wire(ChannelType type) {
        return type == ChannelType.STREAM ? NodeWire.ChannelType.STREAM : NodeWire.ChannelType.DATA;
    }
}
