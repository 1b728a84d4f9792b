package org.gcs.transport.ice;

import java.beans.PropertyChangeEvent;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.gcs.api.GcsException;
import org.gcs.api.ProtocolException;
import org.gcs.api.TransportException;
import org.gcs.api.transport.IceServer;
import org.gcs.api.transport.P2PChannel;
import org.gcs.api.transport.PathKind;
import org.gcs.api.transport.PeerSession;
import org.gcs.api.transport.Role;
import org.gcs.api.transport.SessionOptions;
import org.gcs.transport.ice.quic.QuicEndpoint;
import org.gcs.transport.ice.tls.SessionCertificate;
import org.gcs.transport.ice.wire.CandidateInfo;
import org.gcs.transport.ice.wire.Description;
import org.gcs.transport.ice.wire.Signal;
import org.gcs.transport.ice.wire.WireCodec;
import org.ice4j.ice.Agent;
import org.ice4j.ice.CandidatePair;
import org.ice4j.ice.CandidatePairState;
import org.ice4j.ice.CandidateType;
import org.ice4j.ice.CheckList;
import org.ice4j.ice.Component;
import org.ice4j.ice.IceMediaStream;
import org.ice4j.ice.IceProcessingState;
import org.ice4j.ice.KeepAliveStrategy;
import org.ice4j.ice.LocalCandidate;
import org.ice4j.ice.NominationStrategy;
import org.ice4j.ice.RemoteCandidate;
import org.gcs.internal.concurrent.SerialExecutor;

/**
 * One connection attempt. Order of events:
 * <ol>
 * <li>set-up: a fresh certificate, an ice4j {@code Agent} in trickle mode, host candidates (ice4j's harvester or
 * {@link FixedAddressHarvester}); the {@linkplain #localDescription() description} is complete;</li>
 * <li>other local candidates (STUN server-reflexive, TURN relayed) are gathered in the background and trickled
 * through {@code signalOut}, ending with end-of-candidates;</li>
 * <li>connectivity checks start once the peer's description (or a trickled candidate) gave a remote candidate, without
 * waiting for local gathering; late remote candidates are paired by ice4j, late local ones by {@link CheckListRules#pairLateLocal};
 * the controlling side nominates (direct pairs first, relayed ones after {@code relay_nomination_delay_ms}); both
 * ends build their QUIC endpoint from the moment they know the peer's fingerprint, and the caller's server listens;</li>
 * <li>ICE completed: the callee's QUIC client connects over the selected pair; once the handshake (and for DATA the
 * stream) is up, {@link #channel()} completes and the channel owns every socket and thread of the session.</li>
 * </ol>
 * All state changes run on one {@link SerialExecutor}; failures of any step, the timeout, and {@link #close()} complete
 * {@link #channel()} exceptionally and free the agent and sockets.
 */
final class IceSession implements PeerSession {
    private static final Logger LOG = Logger.getLogger(IceSession.class.getName());
    private static final AtomicLong IDS = new AtomicLong();

    private final IceTransport transport;
    private final TransportSettings settings;
    private final SessionOptions options;
    private final Consumer<byte[]> signalOut;
    private final String name;
    private final SerialExecutor serial;
    private final SessionCertificate certificate;
    private final CompletableFuture<byte[]> localDescription = new CompletableFuture<>();
    private final CompletableFuture<P2PChannel> channel = new CompletableFuture<>();
    private final AtomicBoolean remoteDescriptionSeen = new AtomicBoolean();
    private final AtomicBoolean iceReleased = new AtomicBoolean();
    private final CompletableFuture<Void> released = new CompletableFuture<>();
    private final ScheduledFuture<?> timeout;
    private volatile String stage = "gathering local candidates";
    private final long createdNanos = System.nanoTime();
    /** This session's STUN and TURN harvesters, ended (TURN allocations deleted) before the agent is freed. */
    private final List<EndableHarvester> harvesters = new java.util.concurrent.CopyOnWriteArrayList<>();

    // Serial-executor state
    private Agent agent;
    private Component component;
    private Description local;
    private Description remote;
    private final List<CandidateInfo> earlyRemoteCandidates = new ArrayList<>();
    private boolean remoteEnded;
    private boolean localGatheringDone;
    private boolean pairableLocal;
    private int trickled;
    private boolean checksStarted;
    private final List<CandidatePair> validPairs = new ArrayList<>();
    private boolean nominated;
    private ScheduledFuture<?> relayWait;
    private boolean relayWaitOver;
    private ScheduledFuture<?> failWait;
    private volatile String selectedPair;
    private boolean iceCompleted;
    private PathKind pathKind;
    private QuicEndpoint quic;
    private volatile SelectedPairPath path;
    private boolean quicReady;
    private boolean handedOver;

    IceSession(IceTransport transport, TransportSettings settings, SessionOptions options, Consumer<byte[]> signalOut) {
        this.transport = transport;
        this.settings = settings;
        this.options = options;
        this.signalOut = signalOut;
        this.name = (options.role() == Role.CONTROLLING ? "c" : "d") + IDS.incrementAndGet();
        this.serial = new SerialExecutor(transport.pool());
        this.certificate = transport.sessionCertificate();
        this.timeout = transport.timer().schedule(this::timedOut, options.timeout().toMillis(), TimeUnit.MILLISECONDS);
        serial.execute(this::setUp);
    }

    @Override
    public CompletableFuture<byte[]> localDescription() {
        return localDescription;
    }

    @Override
    public void remoteDescription(byte[] description) {
        Description d = WireCodec.decodeDescription(description);
        if (!remoteDescriptionSeen.compareAndSet(false, true)) {
            throw new ProtocolException("the peer's description was already given");
        }
        serial.execute(() -> applyRemoteDescription(d));
    }

    @Override
    public void remoteSignal(byte[] signal) {
        Signal s = WireCodec.decodeSignal(signal);
        serial.execute(() -> applySignal(s));
    }

    @Override
    public CompletableFuture<P2PChannel> channel() {
        return channel;
    }

    /** Abandons the attempt; after {@link #channel()} succeeded the channel owns the path and stays open. */
    @Override
    public void close() {
        fail(new TransportException("session closed before the channel was up"));
    }

    // ---- steps (serial executor) -------------------------------------------------------------------------------

    private boolean abandoned() {
        return channel.isDone() && !handedOver;
    }

    private void setUp() {
        if (abandoned()) {
            return;
        }
        try {
            Agent a = new Agent();
            agent = a;
            a.setControlling(options.role() == Role.CONTROLLING);
            a.setTrickling(true);
            a.setNominationStrategy(NominationStrategy.NONE); // nominate() below: direct pairs before relayed ones
            a.setUseDynamicPorts(false); // disables ice4j's interface harvesting: ours binds host_addresses or every interface
            a.addCandidateHarvester(new FixedAddressHarvester(settings.hostAddresses(), settings.portMin(),
                    settings.portMax(), !settings.relayOnly()));
            for (IceServer server : options.iceServers()) {
                if (server.kind() == IceServer.Kind.TURN) {
                    TurnHarvester turn = new TurnHarvester(server, settings.turnRefreshMax(), transport.timer());
                    harvesters.add(turn);
                    a.addCandidateHarvester(turn);
                } else if (!settings.relayOnly()) {
                    StunHarvester stun = new StunHarvester(server.host(), server.port());
                    harvesters.add(stun);
                    a.addCandidateHarvester(stun);
                }
            }
            a.addStateChangeListener(this::onIceStateChange);
            IceMediaStream stream = a.createMediaStream("gcs");
            stream.addPairChangeListener(this::onPairChange);
            int preferred = settings.portMin();
            component = a.createComponent(stream, preferred, settings.portMin(), settings.portMax(),
                    KeepAliveStrategy.SELECTED_ONLY, true);
            List<CandidateInfo> candidates = new ArrayList<>();
            for (LocalCandidate c : component.getLocalCandidates()) {
                CandidateInfo info = advertised(c);
                if (info != null && candidates.size() < WireCodec.MAX_CANDIDATES) {
                    candidates.add(info);
                }
            }
            if (candidates.isEmpty() && !settings.relayOnly()) {
                throw new TransportException("ICE failed: no local host candidate (check host_addresses and interfaces)");
            }
            pairableLocal = !candidates.isEmpty();
            local = new Description(a.getLocalUfrag(), a.getLocalPassword(), certificate.fingerprint(), candidates);
            localDescription.complete(WireCodec.encode(local));
            LOG.fine(() -> name + ": description with " + local.candidates().size() + " candidates after " + elapsed());
            stage = "waiting for the peer's description";
            transport.pool().execute(this::gatherOthers);
        } catch (GcsException e) {
            fail(e);
        } catch (IOException | RuntimeException e) {
            fail(new TransportException("ICE failed: cannot gather local candidates: " + e, e));
        }
    }

    /** Pool thread: STUN and TURN gathering; ice4j reports each candidate as found, then {@code null} at the end. */
    private void gatherOthers() {
        Agent a = agent;
        try {
            a.startCandidateTrickle(found -> {
                List<LocalCandidate> copy = found == null ? null : new ArrayList<>(found);
                serial.execute(() -> onLocalCandidates(copy));
            });
        } catch (RuntimeException e) {
            LOG.log(Level.FINE, name + ": trickle gathering failed", e);
            serial.execute(() -> onLocalCandidates(null));
        }
    }

    private void onLocalCandidates(List<LocalCandidate> found) {
        if (abandoned() || localGatheringDone) {
            return;
        }
        if (found == null) {
            localGatheringDone = true;
            LOG.fine(() -> name + ": local gathering done after " + elapsed());
            emit(Signal.END_OF_CANDIDATES);
            maybeStartChecks();
            evaluatePairs();
            return;
        }
        for (LocalCandidate c : found) {
            CandidateInfo info = advertised(c);
            if (info == null || local.candidates().contains(info) || trickled >= 2 * WireCodec.MAX_CANDIDATES) {
                continue;
            }
            trickled++;
            emit(new Signal.Candidate(info));
            if (c.getType() == CandidateType.RELAYED_CANDIDATE) {
                pairableLocal = true;
            }
            if (checksStarted) {
                CheckListRules.pairLateLocal(component, c, settings.relayPrivateHosts(), name);
            }
        }
        maybeStartChecks();
    }

    /** What the peer learns of a local candidate: {@code null} for TCP, and for all but relayed ones with relay_only. */
    private CandidateInfo advertised(LocalCandidate c) {
        if (settings.relayOnly() && c.getType() != CandidateType.RELAYED_CANDIDATE) {
            return null;
        }
        return CandidateMapping.toInfo(c);
    }

    private void emit(Signal s) {
        try {
            signalOut.accept(WireCodec.encode(s));
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, name + ": signal consumer failed", e);
        }
    }

    private void applyRemoteDescription(Description d) {
        if (abandoned()) {
            return;
        }
        if (agent == null || component == null) {
            return; // set-up failed; the session already failed
        }
        remote = d;
        IceMediaStream stream = component.getParentStream();
        stream.setRemoteUfrag(d.ufrag());
        stream.setRemotePassword(d.password());
        for (CandidateInfo c : d.candidates()) {
            addRemote(c);
        }
        for (CandidateInfo c : earlyRemoteCandidates) {
            addRemote(c);
        }
        earlyRemoteCandidates.clear();
        stage = "running ICE connectivity checks";
        maybeStartChecks();
        startQuic();
    }

    private void applySignal(Signal s) {
        if (abandoned()) {
            return;
        }
        if (s instanceof Signal.Candidate c) {
            if (remote == null) {
                if (earlyRemoteCandidates.size() < WireCodec.MAX_CANDIDATES) {
                    earlyRemoteCandidates.add(c.candidate());
                }
                return;
            }
            addRemote(c.candidate());
        } else {
            remoteEnded = true;
        }
        maybeStartChecks();
        evaluatePairs();
    }

    private void addRemote(CandidateInfo c) {
        if (component.getRemoteCandidateCount() >= 2 * WireCodec.MAX_CANDIDATES) {
            return;
        }
        RemoteCandidate rc = CandidateMapping.toRemote(component, c);
        if (checksStarted) {
            // ice4j's half-done trickle: pairs the late candidate with the local candidates of this moment; local
            // candidates found later are paired by CheckListRules.pairLateLocal
            component.addUpdateRemoteCandidates(rc);
            component.updateRemoteCandidates();
            CheckListRules.dropRelayPairsToPrivateHosts(component, settings.relayPrivateHosts());
        } else {
            component.addRemoteCandidate(rc);
        }
    }

    /** Checks start as soon as both ends have a candidate: local gathering (STUN, TURN) goes on meanwhile. */
    private void maybeStartChecks() {
        if (checksStarted || remote == null || component == null || abandoned()) {
            return;
        }
        if (component.getRemoteCandidateCount() == 0) {
            if (remoteEnded) {
                fail(new TransportException("ICE failed: the peer announced no candidates"));
            }
            return;
        }
        if (!pairableLocal) {
            if (localGatheringDone) {
                fail(new TransportException("ICE failed: no usable local candidate"
                        + (settings.relayOnly() ? " (relay_only and no TURN allocation)" : "")));
            }
            return;
        }
        checksStarted = true;
        LOG.fine(() -> name + ": checks start after " + elapsed());
        agent.startConnectivityEstablishment();
        CheckListRules.dropRelayPairsToPrivateHosts(component, settings.relayPrivateHosts());
    }

    // ---- nomination and failure (serial executor) ----------------------------------------------------------------

    private void onPairChange(PropertyChangeEvent e) {
        String p = e.getPropertyName();
        if (IceMediaStream.PROPERTY_PAIR_VALIDATED.equals(p)) {
            CandidatePair pair = (CandidatePair) e.getSource();
            serial.execute(() -> {
                if (!validPairs.contains(pair)) {
                    validPairs.add(pair);
                }
                evaluatePairs();
            });
        } else if (IceMediaStream.PROPERTY_PAIR_STATE_CHANGED.equals(p) && e.getNewValue() == CandidatePairState.FAILED) {
            serial.execute(this::evaluatePairs);
        }
    }

    /**
     * The controlling side nominates the best succeeded direct pair at once; when only pairs through a relay
     * succeeded, it waits {@code relay_nomination_delay_ms} for a direct one (or until every direct pair failed and both
     * ends ended their candidates). Either side fails the session {@code ice_failed_grace_ms} after every pair failed
     * once both ends ended their candidates (ice4j alone would wait 5 s more).
     */
    private void evaluatePairs() {
        if (abandoned() || iceCompleted || !checksStarted) {
            return;
        }
        List<CandidatePair> pairs;
        CheckList list = component.getParentStream().getCheckList();
        synchronized (list) {
            pairs = new ArrayList<>(list);
        }
        if (options.role() == Role.CONTROLLING && !nominated) {
            CandidatePair bestDirect = null;
            CandidatePair bestRelayed = null;
            for (CandidatePair p : validPairs) {
                if (isRelayed(p)) {
                    bestRelayed = better(bestRelayed, p);
                } else {
                    bestDirect = better(bestDirect, p);
                }
            }
            boolean directPending = false;
            for (CandidatePair p : pairs) {
                if (!isRelayed(p) && p.getState() != CandidatePairState.FAILED
                        && p.getState() != CandidatePairState.SUCCEEDED) {
                    directPending = true;
                }
            }
            if (bestDirect != null) {
                nominate(bestDirect);
            } else if (bestRelayed != null) {
                boolean noDirectLeft = !directPending && localGatheringDone && remoteEnded;
                if (noDirectLeft || relayWaitOver) {
                    nominate(bestRelayed);
                } else if (relayWait == null) {
                    relayWait = transport.timer().schedule(() -> serial.execute(() -> {
                        relayWaitOver = true;
                        evaluatePairs();
                    }), settings.relayNominationDelay().toMillis(), TimeUnit.MILLISECONDS);
                }
            }
        }
        boolean allFailed = !pairs.isEmpty() && validPairs.isEmpty();
        for (CandidatePair p : pairs) {
            if (p.getState() != CandidatePairState.FAILED) {
                allFailed = false;
                break;
            }
        }
        if (allFailed && localGatheringDone && remoteEnded && failWait == null) {
            int n = pairs.size();
            failWait = transport.timer().schedule(() -> serial.execute(() -> {
                failWait = null;
                if (abandoned() || iceCompleted || !validPairs.isEmpty()) {
                    return;
                }
                List<CandidatePair> now;
                synchronized (list) {
                    now = new ArrayList<>(list);
                }
                if (now.stream().allMatch(p -> p.getState() == CandidatePairState.FAILED)) {
                    fail(new TransportException("ICE failed: all " + now.size() + " candidate pairs failed ("
                            + component.getLocalCandidateCount() + " local, " + component.getRemoteCandidateCount()
                            + " remote candidates)"));
                } else {
                    evaluatePairs();
                }
            }), settings.iceFailedGrace().toMillis(), TimeUnit.MILLISECONDS);
            LOG.fine(() -> name + ": all " + n + " pairs failed after " + elapsed());
        }
    }

    private void nominate(CandidatePair pair) {
        try {
            agent.nominate(pair);
            nominated = true;
            LOG.fine(() -> name + ": nominated " + pair.toShortString() + " after " + elapsed());
        } catch (IllegalStateException e) {
            LOG.fine(() -> name + ": cannot nominate " + pair.toShortString() + ": " + e.getMessage());
        }
    }

    private static CandidatePair better(CandidatePair a, CandidatePair b) {
        return a == null || b.getPriority() > a.getPriority() ? b : a;
    }

    private static boolean isRelayed(CandidatePair p) {
        return p.getLocalCandidate().getType() == CandidateType.RELAYED_CANDIDATE
                || p.getRemoteCandidate().getType() == CandidateType.RELAYED_CANDIDATE;
    }

    private void onIceStateChange(PropertyChangeEvent e) {
        if (!Agent.PROPERTY_ICE_PROCESSING_STATE.equals(e.getPropertyName())) {
            return;
        }
        Object state = e.getNewValue();
        if (state == IceProcessingState.COMPLETED || state == IceProcessingState.TERMINATED) {
            serial.execute(this::onIceCompleted);
        } else if (state == IceProcessingState.FAILED) {
            serial.execute(() -> fail(new TransportException("ICE failed: no candidate pair succeeded ("
                    + component.getLocalCandidateCount() + " local, " + component.getRemoteCandidateCount()
                    + " remote candidates)")));
        }
    }

    private void onIceCompleted() {
        if (abandoned() || iceCompleted) {
            return;
        }
        CandidatePair pair = component.getSelectedPair();
        if (pair == null) {
            fail(new TransportException("ICE failed: completed without a selected pair"));
            return;
        }
        iceCompleted = true;
        cancelTimers();
        selectedPair = pair.getLocalCandidate().getTransportAddress() + " (" + pair.getLocalCandidate().getType()
                + ") -> " + pair.getRemoteCandidate().getTransportAddress() + " (" + pair.getRemoteCandidate().getType()
                + ")";
        pathKind = CandidateMapping.pathKindOf(pair.getLocalCandidate().getType(), pair.getRemoteCandidate().getType());
        if (path != null) {
            path.select(pair); // the QUIC endpoint (built or being built since the remote description) uses it
        }
        LOG.fine(() -> name + ": ICE completed after " + elapsed() + " on " + selectedPair);
        stage = "QUIC handshake on " + pathKind + " path";
        if (quicClient()) {
            if (quic != null) {
                quic.connect();
            } // else: installQuic connects once the endpoint is built
        }
        maybeComplete();
    }

    private void cancelTimers() {
        if (relayWait != null) {
            relayWait.cancel(false);
        }
        if (failWait != null) {
            failWait.cancel(false);
        }
    }

    /** The selected pair as {@code local (type) -> remote (type)}, once ICE completed (tests and diagnostics). */
    String selectedPair() {
        return selectedPair;
    }

    private String elapsed() {
        return (System.nanoTime() - createdNanos) / 1_000_000 + " ms";
    }

    /**
     * Builds the QUIC endpoint as soon as the peer's fingerprint is known, on a set-up thread: its TLS context and codec
     * cost milliseconds of CPU, which then overlap the connectivity checks instead of following them, and the serial
     * executor stays free for ICE events meanwhile. The server listens before the client's first packet can arrive (what
     * arrives earlier waits in the host socket's buffer); the client connects once a pair is selected.
     */
    private void startQuic() {
        if (path != null) {
            return;
        }
        SelectedPairPath p = new SelectedPairPath(component);
        this.path = p;
        byte[] peerFingerprint = remote.fingerprint();
        Runnable build = () -> {
            QuicEndpoint ep;
            try {
                ep = QuicEndpoint.start(quicClient(), options.type(), certificate,
                        peerFingerprint, settings.quic(), transport.eventLoops(), p, name, transport.loader(),
                        this::releaseIce);
            } catch (IOException | RuntimeException e) {
                serial.execute(() -> fail(new TransportException("QUIC set-up failed: " + e, e)));
                return;
            }
            serial.execute(() -> installQuic(ep));
        };
        try {
            transport.setup().execute(build);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            build.run(); // shutting down: build here, on the session's turn
        }
    }

    /**
     * The callee (controlled) is the QUIC client. It learns the selected pair from the caller's nomination, about half a
     * round trip before the caller learns it from the response to that check, so its first flight reaches the caller
     * about when the caller's ICE completes. The client's handshake completes after one round trip, having checked the
     * server's certificate; the server's after one and a half, having checked the client's. On an authenticated connect
     * the callee asks its application once it has checked the caller: as the client it can do so a full round trip
     * earlier than as the server, and its decision reaches the caller when the caller's own handshake is about complete,
     * with no extra round trip over an unauthenticated connect (docs/PROTOCOL.md, "Decision over the channel").
     */
    private boolean quicClient() {
        return options.role() == Role.CONTROLLED;
    }

    private void installQuic(QuicEndpoint ep) {
        if (abandoned()) {
            ep.abort(); // the session failed or was closed while the endpoint was built
            return;
        }
        quic = ep;
        if (iceCompleted && quicClient()) {
            ep.connect();
        }
        // on the event loop that completed the handshake when the session is idle: no hand-off before the channel is
        // handed over (what runs then, the channel's consumers included, must not block)
        ep.ready().whenComplete((v, ex) -> serial.executeHereIfIdle(() -> {
            if (ex != null) {
                Throwable cause = ex instanceof CompletionException && ex.getCause() != null ? ex.getCause() : ex;
                fail(cause instanceof TransportException te ? te : new TransportException("QUIC failed: " + cause, cause));
            } else {
                quicReady = true;
                maybeComplete();
            }
        }));
    }

    private void maybeComplete() {
        if (!quicReady || !iceCompleted || channel.isDone()) {
            return;
        }
        Description controlling = options.role() == Role.CONTROLLING ? local : remote;
        Description controlled = options.role() == Role.CONTROLLING ? remote : local;
        P2PChannel ch = quic.channel(pathKind, ChannelBinding.of(controlling, controlled));
        handedOver = true;
        if (channel.complete(ch)) {
            timeout.cancel(false);
            transport.forget(this);
        } else {
            handedOver = false;
            ch.close();
        }
    }

    // ---- failure and clean-up ------------------------------------------------------------------------------------

    private void timedOut() {
        fail(new TransportException("timeout: no channel within " + options.timeout().toMillis() + " ms (" + stage + ")"));
    }

    void fail(GcsException e) {
        localDescription.completeExceptionally(e);
        if (channel.completeExceptionally(e)) {
            timeout.cancel(false);
            LOG.fine(() -> name + ": " + e.getMessage());
            serial.execute(this::cleanUp);
        }
    }

    private void cleanUp() {
        if (handedOver) {
            return;
        }
        cancelTimers();
        transport.forget(this);
        if (quic != null) {
            quic.abort(); // -> releaseIce
        } else {
            releaseIce();
        }
    }

    /** Frees the agent (its sockets and the component socket, which ends the channel's receive thread); idempotent. */
    private void releaseIce() {
        if (!iceReleased.compareAndSet(false, true)) {
            return;
        }
        SelectedPairPath p = path;
        if (p != null) {
            p.close();
        }
        Agent a = agent;
        if (a == null) {
            released.complete(null);
            return;
        }
        Runnable free = () -> {
            try {
                harvesters.forEach(EndableHarvester::end);
                a.free();
            } catch (RuntimeException e) {
                LOG.log(Level.FINE, name + ": agent.free failed", e);
            } finally {
                released.complete(null);
            }
        };
        try {
            transport.pool().execute(free);
        } catch (RuntimeException e) {
            free.run(); // pool already shut down (deactivation)
        }
    }

    /** Completes once the agent (and with it every ICE socket) is freed. */
    CompletableFuture<Void> released() {
        return released;
    }

    @Override
    public String toString() {
        return "IceSession[" + name + ", " + options.role() + ", " + stage + "]";
    }
}
