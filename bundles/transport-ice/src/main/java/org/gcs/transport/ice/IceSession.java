package org.gcs.transport.ice;

import java.beans.PropertyChangeEvent;
import java.io.IOException;
import java.net.DatagramPacket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
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
import org.gcs.transport.ice.quic.IcePath;
import org.gcs.transport.ice.quic.QuicEndpoint;
import org.gcs.transport.ice.tls.SessionCertificate;
import org.gcs.transport.ice.wire.CandidateInfo;
import org.gcs.transport.ice.wire.Description;
import org.gcs.transport.ice.wire.Signal;
import org.gcs.transport.ice.wire.WireCodec;
import org.ice4j.Transport;
import org.ice4j.TransportAddress;
import org.ice4j.ice.Agent;
import org.ice4j.ice.CandidatePair;
import org.ice4j.ice.CandidateType;
import org.ice4j.ice.Component;
import org.ice4j.ice.IceMediaStream;
import org.ice4j.ice.IceProcessingState;
import org.ice4j.ice.KeepAliveStrategy;
import org.ice4j.ice.LocalCandidate;
import org.ice4j.ice.RemoteCandidate;
import org.ice4j.ice.harvest.StunCandidateHarvester;

/**
 * One connection attempt. Order of events:
 * <ol>
 * <li>set-up: a fresh certificate, an ice4j {@code Agent} in trickle mode, host candidates (ice4j's harvester or
 * {@link FixedAddressHarvester}); the {@linkplain #localDescription() description} is complete;</li>
 * <li>other local candidates (STUN, later TURN) are gathered in the background and trickled through {@code signalOut},
 * ending with end-of-candidates;</li>
 * <li>with the peer's description (and its trickled candidates) and the local gathering done, connectivity checks
 * start, so a late remote candidate still pairs with every local one; the callee's QUIC server listens from the moment
 * it knows the peer's fingerprint;</li>
 * <li>ICE completed: the caller's QUIC client connects over the selected pair; once the handshake (and for DATA the
 * stream) is up, {@link #channel()} completes and the channel owns every socket and thread of the session.</li>
 * </ol>
 * All state changes run on one {@link SerialExecutor}; failures of any step, the timeout, and {@link #close()} complete
 * {@link #channel()} exceptionally and free the agent and sockets.
 */
final class IceSession implements PeerSession {
    private static final Logger LOG = Logger.getLogger(IceSession.class.getName());
    private static final AtomicLong IDS = new AtomicLong();
    private static final byte[] BINDING_LABEL = "GCS ICE/QUIC channel binding v1".getBytes(StandardCharsets.US_ASCII);

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

    // Serial-executor state
    private Agent agent;
    private Component component;
    private Description local;
    private Description remote;
    private final List<CandidateInfo> earlyRemoteCandidates = new ArrayList<>();
    private boolean remoteEnded;
    private boolean localGatheringDone;
    private boolean checksStarted;
    private boolean iceCompleted;
    private PathKind pathKind;
    private QuicEndpoint quic;
    private boolean quicReady;
    private boolean handedOver;

    IceSession(IceTransport transport, TransportSettings settings, SessionOptions options, Consumer<byte[]> signalOut) {
        this.transport = transport;
        this.settings = settings;
        this.options = options;
        this.signalOut = signalOut;
        this.name = (options.role() == Role.CONTROLLING ? "c" : "d") + IDS.incrementAndGet();
        this.serial = new SerialExecutor(transport.pool());
        this.certificate = SessionCertificate.generate(Duration.ofDays(2));
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
            if (!settings.hostAddresses().isEmpty()) {
                a.setUseDynamicPorts(false); // disables ice4j's interface harvesting: only host_addresses
                a.addCandidateHarvester(new FixedAddressHarvester(settings.hostAddresses(), settings.portMin(),
                        settings.portMax()));
            }
            for (IceServer server : options.iceServers()) {
                if (server.kind() == IceServer.Kind.STUN) {
                    a.addCandidateHarvester(new StunCandidateHarvester(
                            new TransportAddress(server.host(), server.port(), Transport.UDP)));
                } else {
                    // TURN: a TurnCandidateHarvester with LongTermCredential goes here (later issue)
                    LOG.fine(() -> name + ": TURN server ignored for now: " + server);
                }
            }
            a.addStateChangeListener(this::onIceStateChange);
            IceMediaStream stream = a.createMediaStream("gcs");
            int preferred = settings.portMin();
            component = a.createComponent(stream, preferred, settings.portMin(), settings.portMax(),
                    KeepAliveStrategy.SELECTED_ONLY, true);
            List<CandidateInfo> candidates = new ArrayList<>();
            for (LocalCandidate c : component.getLocalCandidates()) {
                CandidateInfo info = toInfo(c);
                if (info != null && candidates.size() < WireCodec.MAX_CANDIDATES) {
                    candidates.add(info);
                }
            }
            if (candidates.isEmpty()) {
                throw new TransportException("ICE failed: no local host candidate (check host_addresses and interfaces)");
            }
            local = new Description(a.getLocalUfrag(), a.getLocalPassword(), certificate.fingerprint(), candidates);
            localDescription.complete(WireCodec.encode(local));
            stage = "waiting for the peer's description";
            transport.pool().execute(this::gatherOthers);
        } catch (GcsException e) {
            fail(e);
        } catch (IOException | RuntimeException e) {
            fail(new TransportException("ICE failed: cannot gather local candidates: " + e, e));
        }
    }

    /** Pool thread: STUN (later TURN) gathering; blocks until every harvester finished or timed out. */
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
            emit(Signal.END_OF_CANDIDATES);
            maybeStartChecks();
            return;
        }
        for (LocalCandidate c : found) {
            CandidateInfo info = toInfo(c);
            if (info != null && !local.candidates().contains(info)) {
                emit(new Signal.Candidate(info));
            }
        }
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
        if (options.role() == Role.CONTROLLED) {
            startQuic(); // listen before the caller can send its first QUIC packet
        }
        maybeStartChecks();
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
    }

    private void addRemote(CandidateInfo c) {
        if (component.getRemoteCandidateCount() >= 2 * WireCodec.MAX_CANDIDATES) {
            return;
        }
        RemoteCandidate rc = toRemote(c);
        if (checksStarted) {
            // ice4j's half-done trickle: pairs the late candidate with the local candidates (all gathered by now)
            component.addUpdateRemoteCandidates(rc);
            component.updateRemoteCandidates();
        } else {
            component.addRemoteCandidate(rc);
        }
    }

    private void maybeStartChecks() {
        if (checksStarted || remote == null || component == null) {
            return;
        }
        if (component.getRemoteCandidateCount() == 0) {
            if (remoteEnded) {
                fail(new TransportException("ICE failed: the peer announced no candidates"));
            }
            return;
        }
        if (!localGatheringDone) {
            return;
        }
        checksStarted = true;
        agent.startConnectivityEstablishment();
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
        pathKind = pathKindOf(pair.getLocalCandidate().getType());
        stage = "QUIC handshake on " + pathKind + " path";
        if (options.role() == Role.CONTROLLING) {
            startQuic();
            if (quic != null) {
                quic.connect();
            }
        }
        maybeComplete();
    }

    private void startQuic() {
        if (quic != null) {
            return;
        }
        Component comp = component;
        IcePath path = new IcePath() {
            @Override
            public void send(byte[] data, int offset, int length) throws IOException {
                comp.send(data, offset, length);
            }

            @Override
            public void receive(DatagramPacket packet) throws IOException {
                comp.getSocket().receive(packet);
            }
        };
        try {
            quic = QuicEndpoint.start(options.role() == Role.CONTROLLING, options.type(), certificate,
                    remote.fingerprint(), settings.quic(), transport.eventLoops(), path, name, transport.loader(),
                    this::releaseIce);
        } catch (IOException | RuntimeException e) {
            fail(new TransportException("QUIC set-up failed: " + e, e));
            return;
        }
        quic.ready().whenComplete((v, ex) -> serial.execute(() -> {
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
        P2PChannel ch = quic.channel(pathKind, channelBinding());
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
        transport.forget(this);
        if (quic != null) {
            quic.abort(); // -> releaseIce
        } else {
            releaseIce();
        }
    }

    /** Frees the agent (its sockets and the component socket, which ends the shim's receive thread); idempotent. */
    private void releaseIce() {
        if (!iceReleased.compareAndSet(false, true)) {
            return;
        }
        Agent a = agent;
        if (a == null) {
            released.complete(null);
            return;
        }
        Runnable free = () -> {
            try {
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

    // ---- conversions -----------------------------------------------------------------------------------------------

    private byte[] channelBinding() {
        Description controlling = options.role() == Role.CONTROLLING ? local : remote;
        Description controlled = options.role() == Role.CONTROLLING ? remote : local;
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            md.update(BINDING_LABEL);
            for (byte[] part : new byte[][] {controlling.fingerprint(), controlled.fingerprint(),
                    controlling.ufrag().getBytes(StandardCharsets.US_ASCII),
                    controlled.ufrag().getBytes(StandardCharsets.US_ASCII)}) {
                md.update(ByteBuffer.allocate(4).putInt(part.length).array());
                md.update(part);
            }
            return md.digest();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static PathKind pathKindOf(CandidateType type) {
        if (type == CandidateType.SERVER_REFLEXIVE_CANDIDATE || type == CandidateType.STUN_CANDIDATE) {
            return PathKind.SERVER_REFLEXIVE;
        }
        if (type == CandidateType.PEER_REFLEXIVE_CANDIDATE) {
            return PathKind.PEER_REFLEXIVE;
        }
        if (type == CandidateType.RELAYED_CANDIDATE) {
            return PathKind.RELAYED;
        }
        return PathKind.HOST;
    }

    private static CandidateInfo toInfo(LocalCandidate c) {
        if (c.getTransport() != Transport.UDP) {
            return null;
        }
        CandidateInfo.Type type = switch (pathKindOf(c.getType())) {
            case HOST -> CandidateInfo.Type.HOST;
            case SERVER_REFLEXIVE -> CandidateInfo.Type.SERVER_REFLEXIVE;
            case PEER_REFLEXIVE -> CandidateInfo.Type.PEER_REFLEXIVE;
            case RELAYED -> CandidateInfo.Type.RELAYED;
        };
        TransportAddress addr = c.getTransportAddress();
        TransportAddress rel = c.getRelatedAddress();
        String foundation = c.getFoundation();
        if (foundation == null || foundation.isEmpty() || foundation.length() > WireCodec.MAX_FOUNDATION) {
            foundation = Integer.toString(Math.abs(addr.hashCode() % 100000));
        }
        try {
            return new CandidateInfo(foundation, c.getPriority(), type, addr.getAddress(), addr.getPort(),
                    rel == null || type == CandidateInfo.Type.HOST ? null : rel.getAddress(),
                    rel == null || type == CandidateInfo.Type.HOST ? 0 : rel.getPort());
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private RemoteCandidate toRemote(CandidateInfo c) {
        CandidateType type = switch (c.type()) {
            case HOST -> CandidateType.HOST_CANDIDATE;
            case SERVER_REFLEXIVE -> CandidateType.SERVER_REFLEXIVE_CANDIDATE;
            case PEER_REFLEXIVE -> CandidateType.PEER_REFLEXIVE_CANDIDATE;
            case RELAYED -> CandidateType.RELAYED_CANDIDATE;
        };
        RemoteCandidate related = null;
        if (c.relatedAddress() != null) {
            related = component.findRemoteCandidate(new TransportAddress(c.relatedAddress(), c.relatedPort(), Transport.UDP));
        }
        return new RemoteCandidate(new TransportAddress(c.address(), c.port(), Transport.UDP), component, type,
                c.foundation(), c.priority(), related);
    }

    @Override
    public String toString() {
        return "IceSession[" + name + ", " + options.role() + ", " + stage + "]";
    }
}
