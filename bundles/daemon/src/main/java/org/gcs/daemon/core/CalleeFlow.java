package org.gcs.daemon.core;

import static org.gcs.daemon.core.DaemonContext.hex;
import static org.gcs.daemon.core.DaemonContext.message;

import com.google.protobuf.ByteString;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.socket.nio.NioSocketChannel;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.lang.System.Logger;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
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
import org.gcs.api.wire.AppWire;
import org.gcs.api.wire.NodeWire.NodeFrame;
import org.gcs.api.wire.NodeWire.Status;
import org.gcs.api.wire.NodeWire;
import org.gcs.daemon.app.AppControl;
import org.gcs.daemon.app.AppHandler;
import org.gcs.daemon.auth.SignedSignaling;
import org.gcs.daemon.core.DaemonContext.Listening;
import org.gcs.daemon.friends.FriendsList;
import org.gcs.daemon.node.NodeClient;
import org.gcs.daemon.pipe.Pipe;

/**
 * The callee's side of every connection: {@code ConnectRequest} -> friends check; then either (no authentication
 * required) listener lookup, {@code IncomingConnectionRequest} to the app, and on accept a {@code CONTROLLED} session
 * answers; or (authentication required) the caller's signed offer is checked, a session answers with a signed answer
 * marked {@code deferred_decision}, and only once the authenticated channel is up is the app asked, its decision going
 * to the caller over the channel ({@link ChannelDecision}). Either way it then connects to the app's port and pipes.
 * Every refusal before a channel exists is answered as {@link Refusal} decides for the privacy mode.
 *
 * <p>Owns the requests pending here (those an application is asked about or, deferred, will be). Threads:
 * {@link #onConnectRequest} and {@link #onCancel} run on the node connection's event loop; {@link #decide} and
 * {@link #withdrawFrom} on the application connection's event loop; the offer's check, sessions and decisions over a
 * channel continue on the daemon's {@code threads}; channel completion on the transport's callbacks; decision timeouts
 * and the local pipe's connect on the daemon's event loop group.
 */
final class CalleeFlow {
    private static final Logger LOG = System.getLogger(CalleeFlow.class.getName());

    private final DaemonContext ctx;
    private final SignalRelay relay;
    private final Map<ByteString, Incoming> incoming = new ConcurrentHashMap<>();

    CalleeFlow(DaemonContext ctx, SignalRelay relay) {
        this.ctx = ctx;
        this.relay = relay;
    }

    /** Requests waiting for an application's decision. */
    int pending() {
        return incoming.size();
    }

    /**
     * The application's answer to a request it was asked about.
     *
     * @return false if {@code control} was never asked about this connection id (unknown, decided or expired)
     */
    boolean decide(byte[] connectionId, boolean accept, AppControl control) {
        ByteString cid = ByteString.copyFrom(connectionId);
        Incoming inc = incoming.get(cid);
        if (inc == null || inc.listening.control() != control || !incoming.remove(cid, inc)) {
            return false;
        }
        inc.timer.cancel(false);
        if (!accept) {
            LOG.log(Level.INFO, "incoming " + inc.label + " rejected by app " + inc.listening.app());
            if (inc.deferred) {
                sendDecisionSoon(inc, ChannelDecision.REJECTED);
            } else {
                refuse(cid, inc.label, Refusal.REJECTED, "the application rejected the connection");
            }
            return true;
        }
        if (inc.deferred) {
            sendDecisionSoon(inc, ChannelDecision.ACCEPTED);
        } else {
            ctx.threads.execute(() -> acceptIncoming(inc));
        }
        LOG.log(Level.INFO, "incoming " + inc.label + " accepted by app " + inc.listening.app());
        return true;
    }

    /** {@code control} stopped listening: the requests it was asked about are answered {@code UNKNOWN_APP}. */
    void withdrawFrom(AppControl control) {
        for (Incoming inc : List.copyOf(incoming.values())) {
            if (inc.listening.control() == control && incoming.remove(inc.cid, inc)) {
                inc.timer.cancel(false);
                if (inc.deferred) {
                    sendDecisionSoon(inc, ChannelDecision.UNKNOWN_APP);
                } else {
                    refuse(inc.cid, inc.label, Refusal.UNKNOWN_APP, "the application stopped listening");
                }
            }
        }
    }

    /** The daemon is stopping: forgets every pending request and closes the channels of deferred ones. */
    void close() {
        for (Incoming inc : List.copyOf(incoming.values())) {
            inc.timer.cancel(false);
            if (inc.channel != null) {
                inc.channel.close();
            }
        }
        incoming.clear();
    }

    /**
     * An incoming request the application is (or, when deferred, will be) asked about. Deferred requests are
     * authenticated: the application hears of them only once {@link #channel} is up.
     */
    private static final class Incoming {
        final ByteString cid;
        final String label;
        final NodeWire.ConnectRequest request;
        final AuthTranscript.Connection connection;
        final byte[] offerHash;
        final ChannelType type;
        final Listening listening;
        final boolean deferred;
        volatile P2PChannel channel;
        volatile ScheduledFuture<?> timer;

        Incoming(NodeWire.ConnectRequest request, AuthTranscript.Connection connection, byte[] offerHash, ChannelType type,
                Listening listening, boolean deferred) {
            this.cid = request.getConnectionId();
            this.label = hex(cid);
            this.request = request;
            this.connection = connection;
            this.offerHash = offerHash;
            this.type = type;
            this.listening = listening;
            this.deferred = deferred;
        }
    }

    /**
     * The caller gave up a connect before its result: an undecided request is withdrawn from the application (its
     * decision will be ignored), a channel being set up is closed; a pipe already open is the application's to close.
     */
    void onCancel(NodeWire.ConnectCancel cancel) {
        ByteString cid = cancel.getConnectionId();
        String label = hex(cid);
        Incoming inc = incoming.remove(cid);
        if (inc != null) {
            ScheduledFuture<?> t = inc.timer;
            if (t != null) {
                t.cancel(false);
            }
            inc.listening.control().incomingWithdrawn(AppWire.IncomingConnectionWithdrawn.newBuilder()
                    .setConnectionId(cid).setReason(cancel.getReason()).build());
            LOG.log(Level.INFO, "incoming " + label + " withdrawn by the caller before the application decided");
        }
        PeerSession s = relay.session(cid);
        if (s != null) {
            LOG.log(Level.INFO, "incoming " + label + " withdrawn by the caller: closing its session");
            relay.closeSession(cid, s);
        }
        if (inc == null && s == null) {
            LOG.log(Level.DEBUG, "cancel of " + label + ", which is not pending here");
        }
    }

    /** A friend (or a stranger) asks to connect: checked, then the application is asked, now or once the channel is up. */
    void onConnectRequest(NodeWire.ConnectRequest r) {
        ByteString cid = r.getConnectionId();
        String label = hex(cid);
        if (cid.isEmpty()) {
            LOG.log(Level.WARNING, "ignoring a ConnectRequest without connection id");
            return;
        }
        UserId caller;
        DeviceId callerDevice;
        AppId callerApp;
        try {
            caller = UserId.parse(r.getCallerUser());
            callerDevice = DeviceId.of(r.getCallerDevice());
            callerApp = AppId.of(r.getCallerApp());
        } catch (IllegalArgumentException e) {
            refuse(cid, label, Refusal.BAD_REQUEST, "bad caller: " + e.getMessage());
            return;
        }
        FriendsList list = ctx.friends.current();
        String petname = list.petname(caller);
        LOG.log(Level.INFO, "incoming " + label + " from " + caller + (petname.isEmpty() ? "" : " (" + petname + ")")
                + "/" + r.getCallerDevice() + " app " + r.getCallerApp() + " for app " + r.getCalleeApp() + " (" + r.getType() + ")");
        if (!caller.equals(ctx.credential.user()) && !list.contains(caller)) {
            refuse(cid, label, Refusal.NOT_A_FRIEND, "not on the callee's friends list");
            return;
        }
        AppId app;
        try {
            app = AppId.of(r.getCalleeApp());
        } catch (IllegalArgumentException e) {
            refuse(cid, label, Refusal.UNKNOWN_APP, e.getMessage());
            return;
        }
        ChannelType type = switch (r.getType()) {
            case DATA -> ChannelType.DATA;
            case STREAM -> ChannelType.STREAM;
            default -> null;
        };
        if (type == null) {
            refuse(cid, label, Refusal.UNSUPPORTED_TYPE, "unsupported channel type " + r.getType());
            return;
        }
        AuthTranscript.Connection connection = new AuthTranscript.Connection(cid.toByteArray(), caller, callerDevice,
                callerApp, ctx.credential.user(), ctx.settings().device(), app, type);
        byte[] offer = r.getOffer().toByteArray();
        byte[] offerHash = SignedSignaling.offerHash(connection, r.getTimestampMs(), offer);
        if (!ctx.settings().requiresAuth(list.requiresAuth(caller))) {
            askApp(r, connection, offerHash, type, app, petname);
            return;
        }
        // The offer's signature is checked first: no session (sockets, TURN allocations, a certificate) is built for a
        // request that is not signed by the caller, so a node forging requests cannot make this device build any.
        ctx.auth.verifyOffer(connection, r.getTimestampMs(), offer, r.getOfferSignature().toByteArray(),
                r.getCallerPublicKey().toByteArray()).whenCompleteAsync((ok, err) -> {
                    if (err != null) {
                        LOG.log(Level.WARNING, "incoming " + label + ": authentication of " + caller + " failed, the "
                                + "application is not told: " + message(err));
                        refuse(cid, label, Refusal.UNAUTHENTICATED, "the caller's offer failed authentication: " + message(err));
                        return;
                    }
                    Listening l = ctx.listeners.get(app);
                    if (l == null) {
                        refuse(cid, label, Refusal.UNKNOWN_APP, "no application listens for app " + app);
                        return;
                    }
                    LOG.log(Level.INFO, "incoming " + label + ": offer signed by " + caller
                            + ", opening the channel before asking app " + app);
                    Incoming inc = new Incoming(r, connection, offerHash, type, l, true);
                    SignalRelay.SignalGate gate = relay.gate(cid, false);
                    PeerSession session;
                    try {
                        session = newCalleeSession(cid, type, gate);
                    } catch (RuntimeException failure) {
                        refuse(cid, label, Refusal.TRANSPORT, "transport: " + message(failure));
                        return;
                    }
                    answerIncoming(inc, session, gate);
                }, ctx.threads);
    }

    /** No authentication required: the application decides first, then the channel is set up. */
    private void askApp(NodeWire.ConnectRequest r, AuthTranscript.Connection connection, byte[] offerHash, ChannelType type,
            AppId app, String petname) {
        ByteString cid = r.getConnectionId();
        String label = hex(cid);
        Listening l = ctx.listeners.get(app);
        if (l == null) {
            refuse(cid, label, Refusal.UNKNOWN_APP, "no application listens for app " + app);
            return;
        }
        Incoming inc = new Incoming(r, connection, offerHash, type, l, false);
        if (incoming.putIfAbsent(cid, inc) != null) {
            LOG.log(Level.WARNING, "ignoring a repeated ConnectRequest " + label);
            return;
        }
        inc.timer = ctx.group.schedule(() -> {
            if (incoming.remove(cid, inc)) {
                refuse(cid, label, Refusal.REJECTED, "the application did not decide within "
                        + ctx.settings().decisionTimeout().toSeconds() + " s");
            }
        }, ctx.settings().decisionTimeout().toMillis(), TimeUnit.MILLISECONDS);
        l.control().incomingRequest(incomingRequest(inc, petname));
    }

    private static AppWire.IncomingConnectionRequest incomingRequest(Incoming inc, String petname) {
        return AppWire.IncomingConnectionRequest.newBuilder()
                .setConnectionId(inc.cid)
                .setCallerUser(inc.connection.callerUser().toString())
                .setCallerPetname(petname)
                .setCallerDevice(inc.connection.callerDevice().name())
                .setCallerApp(inc.connection.callerApp().name())
                .setApp(inc.connection.calleeApp().name())
                .setType(inc.request.getType())
                .build();
    }

    /** Authenticated and the channel is up: now the application is asked; its answer goes over the channel. */
    private void askAppDeferred(Incoming inc, P2PChannel ch) {
        // runs where the transport completed the channel (possibly its I/O thread): what may block goes to a worker
        inc.channel = ch;
        Listening now = ctx.listeners.get(inc.connection.calleeApp());
        if (now != inc.listening) {
            LOG.log(Level.INFO, "incoming " + inc.label + ": app " + inc.listening.app() + " stopped listening meanwhile");
            ctx.threads.execute(() -> sendDecision(inc, ChannelDecision.UNKNOWN_APP));
            return;
        }
        if (incoming.putIfAbsent(inc.cid, inc) != null) {
            LOG.log(Level.WARNING, "incoming " + inc.label + ": already pending, closing the duplicate channel");
            ctx.threads.execute(ch::close);
            return;
        }
        inc.timer = ctx.group.schedule(() -> {
            if (incoming.remove(inc.cid, inc)) {
                LOG.log(Level.INFO, "incoming " + inc.label + ": the application did not decide within "
                        + ctx.settings().decisionTimeout().toSeconds() + " s");
                sendDecisionSoon(inc, ChannelDecision.REJECTED);
            }
        }, ctx.settings().decisionTimeout().toMillis(), TimeUnit.MILLISECONDS);
        ch.closeFuture().whenComplete((v, e) -> {
            if (incoming.remove(inc.cid, inc)) {
                inc.timer.cancel(false);
                LOG.log(Level.INFO, "incoming " + inc.label + ": the caller closed the channel before the application decided");
            }
        });
        String petname = ctx.friends.current().petname(inc.connection.callerUser());
        inc.listening.control().incomingRequest(incomingRequest(inc, petname));
        LOG.log(Level.INFO, "incoming " + inc.label + ": channel open, path " + ch.path() + ", both ends authenticated, "
                + "asked app " + inc.listening.app());
    }

    /**
     * Sends a deferred request's decision: on the calling thread for DATA (one byte into an empty stream; at most it
     * waits the moment the callee's stream takes to attach), on a worker for STREAM (which waits for the caller's
     * acknowledgement). Not for the transport's own threads (see askAppDeferred).
     */
    private void sendDecisionSoon(Incoming inc, byte code) {
        if (inc.type == ChannelType.DATA) {
            sendDecision(inc, code);
        } else {
            ctx.threads.execute(() -> sendDecision(inc, code));
        }
    }

    /** Sends a deferred request's decision over its channel, then pipes (accepted) or closes. */
    private void sendDecision(Incoming inc, byte code) {
        P2PChannel ch = inc.channel;
        P2PChannel piped;
        try {
            piped = ChannelDecision.send(ch, code, ctx.settings().connectTimeout(), ctx.threads);
        } catch (IOException | RuntimeException e) {
            LOG.log(Level.WARNING, "incoming " + inc.label + ": decision not delivered: " + message(e));
            ch.close();
            return;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            ch.close();
            return;
        }
        if (code == ChannelDecision.ACCEPTED) {
            openLocal(inc, piped);
        } else {
            LOG.log(Level.INFO, "incoming " + inc.label + ": decision " + (code == ChannelDecision.REJECTED ? "REJECTED"
                    : "UNKNOWN_APP") + " sent over the channel");
            ch.close();
        }
    }

    /** The application accepted (no authentication): the session starts now. */
    private void acceptIncoming(Incoming inc) {
        SignalRelay.SignalGate gate = relay.gate(inc.cid, false);
        PeerSession s;
        try {
            s = newCalleeSession(inc.cid, inc.type, gate);
        } catch (RuntimeException e) {
            refuse(inc.cid, inc.label, Refusal.TRANSPORT, "transport: " + message(e));
            return;
        }
        answerIncoming(inc, s, gate);
    }

    /** The callee's session; what it signals waits in {@code gate} until the answer went out. */
    private PeerSession newCalleeSession(ByteString cid, ChannelType type, SignalRelay.SignalGate gate) {
        NodeClient n = ctx.node;
        if (n == null) {
            throw new IllegalStateException("not connected to the node");
        }
        return ctx.transport.newSession(new SessionOptions(Role.CONTROLLED, type, n.iceServers(),
                ctx.settings().connectTimeout()),
                gate);
    }

    /** Applies the caller's offer to {@code s}, sends the signed answer, then what the session signalled meanwhile. */
    private void answerIncoming(Incoming inc, PeerSession session, SignalRelay.SignalGate gate) {
        ByteString cid = inc.cid;
        try {
            session.remoteDescription(inc.request.getOffer().toByteArray());
        } catch (RuntimeException e) {
            session.close();
            refuse(cid, inc.label, Refusal.TRANSPORT, "the caller's offer is unusable: " + message(e));
            return;
        }
        relay.register(cid, session, inc.deferred ? relay.check(cid, inc.connection.callerUser(),
                inc.request.getCallerPublicKey().toByteArray(), true) : null);
        session.localDescription().whenComplete((answer, err) -> {
            if (err != null) {
                refuse(cid, inc.label, Refusal.TRANSPORT, "transport: " + message(err));
                relay.closeSession(cid, session);
                return;
            }
            byte[] signature = ctx.auth.signAnswer(inc.connection, inc.offerHash, inc.deferred, answer);
            boolean sent = ctx.node.send(NodeFrame.newBuilder().setConnectResponse(NodeWire.ConnectResponse.newBuilder()
                    .setConnectionId(cid).setStatus(Status.ACCEPTED).setAnswer(ByteString.copyFrom(answer))
                    .setAnswerSignature(ByteString.copyFrom(signature))
                    .setCalleePublicKey(ByteString.copyFrom(ctx.auth.publicKey()))
                    .setDeferredDecision(inc.deferred)).build());
            if (sent) {
                gate.open();
                LOG.log(Level.INFO, "incoming " + inc.label + " answered ACCEPTED" + (inc.deferred
                        ? " (signed; the application decides once the channel is up)" : ""));
            } else {
                LOG.log(Level.WARNING, "incoming " + inc.label + ": cannot answer, not connected to the node");
                relay.closeSession(cid, session);
            }
        });
        session.channel().whenComplete((ch, err) -> {
            if (err != null) {
                LOG.log(Level.WARNING, "incoming " + inc.label + ": no P2P path: " + message(err));
                relay.closeSession(cid, session);
                if (!inc.deferred) { // the application accepted and waits for ConnectionOpened: none will come
                    inc.listening.control().incomingWithdrawn(AppWire.IncomingConnectionWithdrawn.newBuilder()
                            .setConnectionId(cid).setReason("the connection could not be opened: " + message(err))
                            .build());
                }
                return;
            }
            ch.closeFuture().whenComplete((v, e) -> relay.closeSession(cid, session));
            if (inc.deferred) {
                askAppDeferred(inc, ch);
            } else {
                LOG.log(Level.INFO, "incoming " + inc.label + ": channel open, path " + ch.path());
                openLocal(inc, ch);
            }
        });
    }

    private void openLocal(Incoming inc, P2PChannel ch) {
        int port = inc.listening.port();
        ChannelFuture f = new Bootstrap()
                .group(ctx.group)
                .channel(NioSocketChannel.class)
                .option(ChannelOption.AUTO_READ, false)
                .option(ChannelOption.ALLOW_HALF_CLOSURE, true)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 5000)
                .handler(new ChannelInboundHandlerAdapter())
                .connect("127.0.0.1", port);
        f.addListener(done -> {
            if (!done.isSuccess()) {
                LOG.log(Level.WARNING, "incoming " + inc.label + ": cannot reach app " + inc.listening.app()
                        + " at 127.0.0.1:" + port + ": " + message(done.cause()));
                ctx.threads.execute(ch::close); // closing lingers: not on this event loop
                return;
            }
            Channel local = f.channel();
            int localPort = ((InetSocketAddress) local.localAddress()).getPort();
            Pipe.attach(local, ch, inc.label, ctx.threads);
            inc.listening.control().connectionOpened(AppWire.ConnectionOpened.newBuilder()
                    .setConnectionId(inc.cid).setLocalPort(localPort).setPath(AppHandler.path(ch.path())).build());
            LOG.log(Level.INFO, "incoming " + inc.label + ": piped to app " + inc.listening.app() + " at 127.0.0.1:" + port
                    + " from local port " + localPort);
        });
    }

    /** Says no to connect {@code cid} before any channel exists, as {@link Refusal} decides for the privacy mode. */
    private void refuse(ByteString cid, String label, Refusal reason, String detail) {
        Refusal.Answer answer = reason.answer(ctx.settings().privacy(), detail);
        if (answer.status() != reason.answer(DaemonSettings.Privacy.UPLOAD, detail).status()
                || !answer.message().equals(detail)) {
            LOG.log(Level.INFO, "incoming " + label + ": " + reason + " (" + detail + "), answered as a plain refusal");
        }
        respond(cid, label, answer.status(), answer.message());
    }

    private void respond(ByteString cid, String label, Status status, String message) {
        NodeClient n = ctx.node;
        boolean sent = n != null && n.send(NodeFrame.newBuilder().setConnectResponse(NodeWire.ConnectResponse.newBuilder()
                .setConnectionId(cid).setStatus(status).setMessage(message)).build());
        LOG.log(sent ? Level.INFO : Level.WARNING, "incoming " + label + " answered " + status + " (" + message + ")"
                + (sent ? "" : " but the node connection is down"));
    }
}
