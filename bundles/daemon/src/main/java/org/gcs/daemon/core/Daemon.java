package org.gcs.daemon.core;

import com.google.protobuf.ByteString;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.io.IOException;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Function;
import org.gcs.api.AppId;
import org.gcs.api.DeviceId;
import org.gcs.api.UserId;
import org.gcs.api.auth.AuthProvider;
import org.gcs.api.auth.AuthTranscript;
import org.gcs.api.auth.CredentialStore;
import org.gcs.api.auth.UserCredential;
import org.gcs.api.transport.ChannelType;
import org.gcs.api.transport.P2PChannel;
import org.gcs.api.transport.P2PTransport;
import org.gcs.api.transport.PeerSession;
import org.gcs.api.transport.Role;
import org.gcs.api.transport.SessionOptions;
import org.gcs.api.wire.AppWire;
import org.gcs.api.wire.NodeWire;
import org.gcs.api.wire.NodeWire.NodeFrame;
import org.gcs.api.wire.NodeWire.Status;
import org.gcs.daemon.app.ApiCookie;
import org.gcs.daemon.app.ApiSettings;
import org.gcs.daemon.app.AppAdmission;
import org.gcs.api.wire.WireVersions;
import org.gcs.daemon.app.AppBackend;
import org.gcs.daemon.app.AppControl;
import org.gcs.daemon.app.AppHandler;
import org.gcs.daemon.app.AppServer;
import org.gcs.daemon.auth.ReplayGuard;
import org.gcs.daemon.auth.SignedSignaling;
import org.gcs.daemon.files.AtomicFiles;
import org.gcs.daemon.friends.FriendsList;
import org.gcs.daemon.friends.FriendsWatcher;
import org.gcs.daemon.node.NodeClient;
import org.gcs.daemon.pipe.Pipe;

/**
 * A device's daemon: loads the user's key, keeps the friends list, stays logged in to the node, serves the local
 * application API, and runs both sides of every connection.
 *
 * <p>Caller: {@code ConnectApp} from an app -> a {@code CONTROLLING} session, {@code Connect} with its offer signed by
 * the user's key -> on {@code ConnectResult{ACCEPTED}} the answer's signature is checked (when authentication is
 * required), the answer goes to the session, and once the channel is up (and a deferred decision arrived over it) the
 * app's connection becomes the pipe. Callee: {@code ConnectRequest} -> friends check; then either (no authentication
 * required) listener lookup, {@code IncomingConnectionRequest} to the app, and on accept a {@code CONTROLLED} session
 * answers; or (authentication required) the caller's signed offer is checked, a session answers with a signed answer
 * marked {@code deferred_decision}, and only once the authenticated channel is up is the app asked, its decision going
 * to the caller over the channel ({@link ChannelDecision}). Either way the daemon then connects to the app's port and
 * pipes. Signals are relayed through the node both ways and buffered until a session exists.
 *
 * <pre>{@code
 * Daemon d = new Daemon(settings, credentialStore, transport);
 * d.start();        // prints "GCS daemon user id: pk:... device: laptop"
 * ...
 * d.close();
 * }</pre>
 */
public final class Daemon implements AppBackend, NodeClient.Listener, AutoCloseable {
    /** The one answer to the node for every refusal in privacy modes local and local-authenticated. */
    static final String DECLINED = Refusal.DECLINED;
    /** What applications are told while the node connection is down: why it went down (e.g. another daemon took over). */
    private volatile String notConnected = "not connected to the node";
    private static final Logger LOG = System.getLogger(Daemon.class.getName());
    /** Extra time a caller's session gets for ICE after the callee's answer. */
    static final Duration ICE_TIME = Duration.ofSeconds(15);
    static final Duration DEVICES_TIMEOUT = Duration.ofSeconds(10);
    static final int SIGNALS_PER_CONNECTION = 64;
    static final int BUFFERED_CONNECTIONS = 256;
    static final Duration SIGNAL_MAX_AGE = Duration.ofSeconds(60);
    static final Duration FRIENDS_POLL = Duration.ofSeconds(1);

    private volatile DaemonSettings settings;
    private final CredentialStore store;
    private final P2PTransport transport;
    private final Function<String, AuthProvider> authProviders;
    private final ReplayGuard replay = new ReplayGuard(ReplayGuard.DEFAULT_WINDOW, ReplayGuard.DEFAULT_CAPACITY,
            System::currentTimeMillis);
    private final SecureRandom random = new SecureRandom();
    private final Map<AppId, Listening> listeners = new ConcurrentHashMap<>();
    private final Map<ByteString, OutgoingAttempt> outgoing = new ConcurrentHashMap<>();
    private final Map<ByteString, Incoming> incoming = new ConcurrentHashMap<>();
    private final Map<ByteString, Registered> sessions = new ConcurrentHashMap<>();
    private final Object signalLock = new Object();
    private final SignalBuffer buffer = new SignalBuffer(SIGNALS_PER_CONNECTION, BUFFERED_CONNECTIONS,
            SIGNAL_MAX_AGE.toNanos(), System::nanoTime);

    private EventLoopGroup group;
    private ExecutorService threads;
    private UserCredential credential;
    private SignedSignaling auth;
    private FriendsWatcher friends;
    /** Reads the friends file: off the I/O threads, so a slow or blocked file system stalls nothing else. */
    private ScheduledExecutorService friendsReader;
    private NodeClient node;
    private AppServer api;
    private int apiPort = ApiSettings.TCP_OFF;
    private Path apiSocket;

    private record Listening(AppId app, int port, AppControl control) {
    }

    /** A daemon that cannot verify peers: connects that require authentication end {@code UNAUTHENTICATED}. */
    public Daemon(DaemonSettings settings, CredentialStore store, P2PTransport transport) {
        this(settings, store, transport, scheme -> null);
    }

    /**
     * @param authProviders the verifier of peers' signatures for a scheme, null when none is installed
     */
    public Daemon(DaemonSettings settings, CredentialStore store, P2PTransport transport,
            Function<String, AuthProvider> authProviders) {
        this.settings = settings;
        this.store = store;
        this.transport = transport;
        this.authProviders = authProviders;
    }

    public DaemonSettings settings() {
        return settings;
    }

    /**
     * Applies settings that differ only in privacy mode, mutual authentication or timeouts
     * ({@link DaemonSettings#sameRestartingKeys}). Switching to {@code upload} sends the friends list to the node;
     * switching away from it clears the node's copy.
     */
    public void reconfigure(DaemonSettings next) {
        if (!settings.sameRestartingKeys(next)) {
            throw new IllegalArgumentException("these settings need a restart");
        }
        DaemonSettings before = settings;
        settings = next;
        LOG.log(Level.INFO, "privacy mode " + next.privacy().key() + ", mutual authentication "
                + (next.privacy() == DaemonSettings.Privacy.LOCAL_AUTHENTICATED || next.mutualAuth() ? "on" : "per friend")
                + (before.privacy() != next.privacy() ? " (was " + before.privacy().key() + ")" : ""));
        boolean wasUpload = before.privacy() == DaemonSettings.Privacy.UPLOAD;
        boolean isUpload = next.privacy() == DaemonSettings.Privacy.UPLOAD;
        NodeClient n = node;
        if (wasUpload != isUpload && n != null && n.connected()) {
            if (n.sendFriendsUpdate()) {
                LOG.log(Level.INFO, isUpload ? "friends list sent to the node: " + friends.current().size() + " friends"
                        : "the node's copy of the friends list is cleared");
            }
        }
    }

    /** Whether a channel with {@code peer} must be authenticated end to end, by the settings and her friends entry. */
    boolean requiresAuth(UserId peer) {
        return settings.requiresAuth(friends.current().requiresAuth(peer));
    }

    /**
     * Loads the key, reads the friends list, writes a new API cookie, opens the application API (Unix socket, then TCP
     * if configured), writes where to find it ({@code api.socket}, {@code api.port}, after the cookie, so a client that
     * sees them finds this start's cookie) and starts the node session.
     */
    public void start() throws IOException, InterruptedException {
        group = new MultiThreadIoEventLoopGroup(2, new DefaultThreadFactory("gcs-daemon", true), NioIoHandler.newFactory());
        threads = Executors.newCachedThreadPool(new DefaultThreadFactory("gcs-daemon-worker", true));
        try {
            // the store makes the key's directory itself, owner-only (CredentialStore contract)
            credential = store.loadOrCreate(settings.keyFile(), settings.name().isEmpty() ? null : settings.name());
            if (!credential.user().scheme().equals(settings.scheme())) {
                throw new IllegalStateException("scheme is " + settings.scheme() + " but the credential store made a "
                        + credential.user().scheme() + " identity");
            }
            auth = new SignedSignaling(credential, authProviders, replay, System::currentTimeMillis);
            friends = new FriendsWatcher(settings.friendsFile(), this::friendsChanged);
            friendsReader = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "gcs-daemon-friends-file");
                t.setDaemon(true);
                return t;
            });
            friends.start(friendsReader, FRIENDS_POLL.toMillis());
            Files.createDirectories(settings.stateDir());
            openApi(settings.api());
            writeState("user-id", credential.user().toString());
            writeState("api.socket", apiSocket.toString());
            if (apiPort != ApiSettings.TCP_OFF) {
                writeState("api.port", Integer.toString(apiPort));
            } else {
                Files.deleteIfExists(settings.stateDir().resolve("api.port"));
            }
            String banner = "GCS daemon user id: " + credential.user() + " device: " + settings.device();
            LOG.log(Level.INFO, banner);
            System.out.println(banner);
            node = new NodeClient(NodeClient.Settings.of(settings.bootstrap(), settings.handlersFile(), settings.device()),
                    credential, this::friendsUpload, this, group);
            node.start();
        } catch (IOException | InterruptedException | RuntimeException e) {
            close();
            throw e;
        }
    }

    private void openApi(ApiSettings a) throws IOException, InterruptedException {
        ApiCookie cookie = ApiCookie.createIn(settings.stateDir(), random);
        api = new AppServer(this, group, threads);
        apiSocket = a.socket().toAbsolutePath();
        api.bindUnix(apiSocket, AppAdmission.ownerOnly("unix " + apiSocket, a.helloTimeout(), a.maxPendingHellos()));
        if (a.tcp()) {
            apiPort = api.bindTcp(a.host(), a.port(), AppAdmission.withCookie("tcp " + a.host() + ":" + a.port(), cookie,
                    a.helloTimeout(), a.maxPendingHellos()));
        }
    }

    private void writeState(String name, String value) throws IOException {
        AtomicFiles.replace(settings.stateDir().resolve(name), value + "\n");
    }

    /** The port of the application API's TCP endpoint, {@link ApiSettings#TCP_OFF} if it has none. */
    public int apiPort() {
        return apiPort;
    }

    /** The absolute path of the application API's Unix domain socket. */
    public Path apiSocket() {
        return apiSocket;
    }

    public UserId user() {
        return credential.user();
    }

    public FriendsList friendsList() {
        return friends.current();
    }

    /**
     * Re-reads the friends file now and, if it changed, waits until the change has settled and is applied (at most
     * {@link FriendsWatcher#EMPTY_SETTLE}); the watcher also polls every second by itself.
     */
    public void checkFriends() throws InterruptedException {
        friends.checkAndSettle();
    }

    @Override
    public void close() {
        if (friends != null) {
            friends.close();
        }
        if (friendsReader != null) {
            friendsReader.shutdownNow();
        }
        if (node != null) {
            node.close();
        }
        if (api != null) {
            api.close();
        }
        for (OutgoingAttempt a : List.copyOf(outgoing.values())) {
            a.finish(Status.FAILED, "the daemon is stopping", null);
        }
        for (Incoming inc : List.copyOf(incoming.values())) {
            inc.timer.cancel(false);
            if (inc.channel != null) {
                inc.channel.close();
            }
        }
        incoming.clear();
        for (Map.Entry<ByteString, Registered> e : List.copyOf(sessions.entrySet())) {
            closeSession(e.getKey(), e.getValue().session());
        }
        if (group != null) {
            group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
        }
        if (threads != null) {
            threads.shutdownNow();
        }
    }

    // ---------------------------------------------------------------- friends

    /**
     * What the node gets: the list in mode {@code upload}, nothing otherwise. A list longer than a node takes is not
     * uploaded (the node then admits everybody and this daemon refuses strangers itself, as in mode {@code local}):
     * a cut list would refuse some friends at the node.
     */
    private NodeClient.FriendsUpload friendsUpload() {
        FriendsList list = friends.current();
        if (settings.privacy() != DaemonSettings.Privacy.UPLOAD) {
            return new NodeClient.FriendsUpload(false, List.of());
        }
        if (list.size() > WireVersions.MAX_FRIENDS) {
            LOG.log(Level.WARNING, "friends file " + friends.file() + " lists " + list.size() + " friends, more than the "
                    + WireVersions.MAX_FRIENDS + " a node takes: not uploaded; this daemon refuses strangers itself");
            return new NodeClient.FriendsUpload(false, List.of());
        }
        return new NodeClient.FriendsUpload(true, list.ids());
    }

    /** On the friends file's reader thread. */
    private void friendsChanged(FriendsList list) {
        NodeClient n = node;
        if (n != null && settings.privacy() == DaemonSettings.Privacy.UPLOAD && n.connected()) {
            if (n.sendFriendsUpdate() && list.size() <= WireVersions.MAX_FRIENDS) {
                LOG.log(Level.INFO, "friends list sent to the node: " + list.size() + " friends");
            }
        }
    }

    // ---------------------------------------------------------------- application API backend

    @Override
    public String userId() {
        return credential.user().toString();
    }

    @Override
    public String deviceId() {
        return settings.device().name();
    }

    @Override
    public boolean nodeConnected() {
        NodeClient n = node;
        return n != null && n.connected();
    }

    @Override
    public CompletableFuture<DevicesResult> devices(UserId user) {
        return node.devices(user, DEVICES_TIMEOUT).thenApply(a -> {
            String message = switch (a.getStatus()) {
                case TIMEOUT -> "the node did not answer within " + DEVICES_TIMEOUT.toSeconds() + " s";
                case FAILED -> nodeConnected() ? "the node could not answer" : notConnected;
                default -> "";
            };
            LOG.log(Level.INFO, "devices of " + user + ": " + a.getStatus() + " " + a.getDevicesList());
            return new DevicesResult(a.getStatus(), a.getDevicesList(), message);
        });
    }

    @Override
    public List<AppWire.Friend> friends() {
        List<AppWire.Friend> out = new ArrayList<>();
        friends.current().entries().forEach((user, petname) -> out.add(AppWire.Friend.newBuilder()
                .setUserId(user.toString()).setPetname(petname).setAuthenticated(requiresAuth(user)).build()));
        return out;
    }

    @Override
    public synchronized String listen(AppId app, int port, AppControl control) {
        Listening existing = listeners.get(app);
        if (existing != null && existing.control() != control) {
            return "app " + app + " already has a listener (" + existing.control().describe() + ")";
        }
        listeners.put(app, new Listening(app, port, control));
        return null;
    }

    @Override
    public void unlisten(AppControl control) {
        synchronized (this) {
            listeners.values().removeIf(l -> {
                if (l.control() == control) {
                    LOG.log(Level.INFO, "app " + l.app() + " stopped listening (" + control.describe() + " closed)");
                    return true;
                }
                return false;
            });
        }
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

    @Override
    public boolean decide(byte[] connectionId, boolean accept, AppControl control) {
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
            threads.execute(() -> acceptIncoming(inc));
        }
        LOG.log(Level.INFO, "incoming " + inc.label + " accepted by app " + inc.listening.app());
        return true;
    }

    @Override
    public Outgoing connect(UserId user, DeviceId device, AppId app, AppId fromApp, ChannelType type) {
        byte[] id = new byte[16];
        random.nextBytes(id);
        OutgoingAttempt a = new OutgoingAttempt(id, new AuthTranscript.Connection(id, credential.user(), settings.device(),
                fromApp, user, device, app, type), requiresAuth(user));
        LOG.log(Level.INFO, "connect " + a.label + " to " + user + "/" + device + " app " + app + " from app " + fromApp
                + " (" + type + (a.authRequired ? ", mutual authentication" : "") + ")");
        NodeClient n = node;
        if (n == null || !n.connected()) {
            a.finish(Status.FAILED, notConnected, null);
            return a;
        }
        outgoing.put(a.cid, a);
        a.timer = group.schedule(() -> a.finish(Status.TIMEOUT, "no answer within "
                + settings.connectTimeout().toSeconds() + " s", null), settings.connectTimeout().toMillis(), TimeUnit.MILLISECONDS);
        threads.execute(() -> {
            PeerSession s;
            try {
                s = transport.newSession(new SessionOptions(Role.CONTROLLING, type, n.iceServers(),
                        settings.connectTimeout().plus(ICE_TIME)), a.signals);
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
                if (a.result.isDone()) {
                    return; // the application hung up (or the attempt failed) while the offer was made: no Connect
                }
                SignedSignaling.SignedOffer signed = auth.signOffer(a.connection, offer);
                a.offerHash = signed.transcriptHash();
                boolean sent = n.send(NodeFrame.newBuilder().setConnect(NodeWire.Connect.newBuilder()
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
                if (!sent) {
                    a.finish(Status.FAILED, notConnected, null);
                } else {
                    a.connectSent = true;
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
            this.signals = new SignalGate(cid, true);
        }

        /** Signals emitted before Connect went out would reach the node before the connection exists: held until then. */
        final SignalGate signals;

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
            boolean pending = !result.isDone();
            finish(Status.FAILED, "the application closed its connection", null);
            NodeClient n = node;
            if (pending && connectSent && n != null) {
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
                    threads.execute(channel::close); // closing lingers; this may run on the transport's I/O thread
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
                    closeSession(cid, s);
                }
            }
        }
    }

    private void onConnectResult(NodeWire.ConnectResult r) {
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
            threads.execute(() -> openOutgoing(a, s, answer, r.getDeferredDecision(), calleeKey));
            return;
        }
        auth.verifyAnswer(a.connection, offerHash, r.getDeferredDecision(), answer, r.getAnswerSignature().toByteArray(),
                r.getCalleePublicKey().toByteArray()).whenCompleteAsync((ok, err) -> {
                    if (err != null) {
                        LOG.log(Level.WARNING, "connect " + a.label + ": authentication of the callee failed: " + message(err));
                        a.finish(Status.UNAUTHENTICATED, "the callee's answer failed authentication: " + message(err), null);
                        return;
                    }
                    LOG.log(Level.INFO, "connect " + a.label + " accepted by the callee, answer signed by "
                            + a.connection.calleeUser() + ", opening the P2P channel");
                    openOutgoing(a, s, answer, r.getDeferredDecision(), calleeKey);
                }, threads);
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
        registerSession(a.cid, s, a.authRequired ? new SignalCheck(a.cid, a.connection.calleeUser(), calleeKey, false)
                : null);
        Duration limit = settings.connectTimeout().plus(ICE_TIME).plusSeconds(5);
        ScheduledFuture<?> guard = group.schedule(() -> a.finish(Status.FAILED,
                "no P2P channel within " + limit.toSeconds() + " s", null), limit.toMillis(), TimeUnit.MILLISECONDS);
        s.channel().whenComplete((ch, err) -> {
            guard.cancel(false);
            if (err != null) {
                a.finish(Status.FAILED, "no P2P path: " + message(err), null);
                return;
            }
            ch.closeFuture().whenComplete((v, e) -> closeSession(a.cid, s));
            if (!deferredDecision) {
                a.finish(Status.ACCEPTED, "", ch);
                return;
            }
            LOG.log(Level.INFO, "connect " + a.label + ": authenticated channel open, waiting for the callee application");
            threads.execute(() -> awaitDecision(a, ch));
        });
    }

    /** On a worker: the callee application's decision over the channel, bounded by the connect timeout. */
    private void awaitDecision(OutgoingAttempt a, P2PChannel ch) {
        Duration limit = settings.connectTimeout();
        ScheduledFuture<?> guard = group.schedule(() -> {
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

    // ---------------------------------------------------------------- callee side

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
    private void onCancel(NodeWire.ConnectCancel cancel) {
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
        PeerSession s;
        synchronized (signalLock) {
            Registered r = sessions.get(cid);
            s = r == null ? null : r.session();
        }
        if (s != null) {
            LOG.log(Level.INFO, "incoming " + label + " withdrawn by the caller: closing its session");
            closeSession(cid, s);
        }
        if (inc == null && s == null) {
            LOG.log(Level.DEBUG, "cancel of " + label + ", which is not pending here");
        }
    }

    private void onConnectRequest(NodeWire.ConnectRequest r) {
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
        FriendsList list = friends.current();
        String petname = list.petname(caller);
        LOG.log(Level.INFO, "incoming " + label + " from " + caller + (petname.isEmpty() ? "" : " (" + petname + ")")
                + "/" + r.getCallerDevice() + " app " + r.getCallerApp() + " for app " + r.getCalleeApp() + " (" + r.getType() + ")");
        if (!caller.equals(credential.user()) && !list.contains(caller)) {
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
                callerApp, credential.user(), settings.device(), app, type);
        byte[] offer = r.getOffer().toByteArray();
        byte[] offerHash = SignedSignaling.offerHash(connection, r.getTimestampMs(), offer);
        if (!settings.requiresAuth(list.requiresAuth(caller))) {
            askApp(r, connection, offerHash, type, app, petname);
            return;
        }
        // The offer's signature is checked first: no session (sockets, TURN allocations, a certificate) is built for a
        // request that is not signed by the caller, so a node forging requests cannot make this device build any.
        auth.verifyOffer(connection, r.getTimestampMs(), offer, r.getOfferSignature().toByteArray(),
                r.getCallerPublicKey().toByteArray()).whenCompleteAsync((ok, err) -> {
                    if (err != null) {
                        LOG.log(Level.WARNING, "incoming " + label + ": authentication of " + caller + " failed, the "
                                + "application is not told: " + message(err));
                        refuse(cid, label, Refusal.UNAUTHENTICATED, "the caller's offer failed authentication: " + message(err));
                        return;
                    }
                    Listening l = listeners.get(app);
                    if (l == null) {
                        refuse(cid, label, Refusal.UNKNOWN_APP, "no application listens for app " + app);
                        return;
                    }
                    LOG.log(Level.INFO, "incoming " + label + ": offer signed by " + caller
                            + ", opening the channel before asking app " + app);
                    Incoming inc = new Incoming(r, connection, offerHash, type, l, true);
                    SignalGate gate = new SignalGate(cid, false);
                    PeerSession session;
                    try {
                        session = newCalleeSession(cid, type, gate);
                    } catch (RuntimeException failure) {
                        refuse(cid, label, Refusal.TRANSPORT, "transport: " + message(failure));
                        return;
                    }
                    answerIncoming(inc, session, gate);
                }, threads);
    }

    /** No authentication required: the application decides first, then the channel is set up. */
    private void askApp(NodeWire.ConnectRequest r, AuthTranscript.Connection connection, byte[] offerHash, ChannelType type,
            AppId app, String petname) {
        ByteString cid = r.getConnectionId();
        String label = hex(cid);
        Listening l = listeners.get(app);
        if (l == null) {
            refuse(cid, label, Refusal.UNKNOWN_APP, "no application listens for app " + app);
            return;
        }
        Incoming inc = new Incoming(r, connection, offerHash, type, l, false);
        if (incoming.putIfAbsent(cid, inc) != null) {
            LOG.log(Level.WARNING, "ignoring a repeated ConnectRequest " + label);
            return;
        }
        inc.timer = group.schedule(() -> {
            if (incoming.remove(cid, inc)) {
                refuse(cid, label, Refusal.REJECTED, "the application did not decide within "
                        + settings.decisionTimeout().toSeconds() + " s");
            }
        }, settings.decisionTimeout().toMillis(), TimeUnit.MILLISECONDS);
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
        Listening now = listeners.get(inc.connection.calleeApp());
        if (now != inc.listening) {
            LOG.log(Level.INFO, "incoming " + inc.label + ": app " + inc.listening.app() + " stopped listening meanwhile");
            threads.execute(() -> sendDecision(inc, ChannelDecision.UNKNOWN_APP));
            return;
        }
        if (incoming.putIfAbsent(inc.cid, inc) != null) {
            LOG.log(Level.WARNING, "incoming " + inc.label + ": already pending, closing the duplicate channel");
            threads.execute(ch::close);
            return;
        }
        inc.timer = group.schedule(() -> {
            if (incoming.remove(inc.cid, inc)) {
                LOG.log(Level.INFO, "incoming " + inc.label + ": the application did not decide within "
                        + settings.decisionTimeout().toSeconds() + " s");
                sendDecisionSoon(inc, ChannelDecision.REJECTED);
            }
        }, settings.decisionTimeout().toMillis(), TimeUnit.MILLISECONDS);
        ch.closeFuture().whenComplete((v, e) -> {
            if (incoming.remove(inc.cid, inc)) {
                inc.timer.cancel(false);
                LOG.log(Level.INFO, "incoming " + inc.label + ": the caller closed the channel before the application decided");
            }
        });
        inc.listening.control().incomingRequest(incomingRequest(inc, friends.current().petname(inc.connection.callerUser())));
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
            threads.execute(() -> sendDecision(inc, code));
        }
    }

    /** Sends a deferred request's decision over its channel, then pipes (accepted) or closes. */
    private void sendDecision(Incoming inc, byte code) {
        P2PChannel ch = inc.channel;
        P2PChannel piped;
        try {
            piped = ChannelDecision.send(ch, code, settings.connectTimeout(), threads);
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
        SignalGate gate = new SignalGate(inc.cid, false);
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
    private PeerSession newCalleeSession(ByteString cid, ChannelType type, SignalGate gate) {
        NodeClient n = node;
        if (n == null) {
            throw new IllegalStateException("not connected to the node");
        }
        return transport.newSession(new SessionOptions(Role.CONTROLLED, type, n.iceServers(), settings.connectTimeout()),
                gate);
    }

    /** Applies the caller's offer to {@code s}, sends the signed answer, then what the session signalled meanwhile. */
    private void answerIncoming(Incoming inc, PeerSession session, SignalGate gate) {
        ByteString cid = inc.cid;
        try {
            session.remoteDescription(inc.request.getOffer().toByteArray());
        } catch (RuntimeException e) {
            session.close();
            refuse(cid, inc.label, Refusal.TRANSPORT, "the caller's offer is unusable: " + message(e));
            return;
        }
        registerSession(cid, session, inc.deferred ? new SignalCheck(cid, inc.connection.callerUser(),
                inc.request.getCallerPublicKey().toByteArray(), true) : null);
        session.localDescription().whenComplete((answer, err) -> {
            if (err != null) {
                refuse(cid, inc.label, Refusal.TRANSPORT, "transport: " + message(err));
                closeSession(cid, session);
                return;
            }
            byte[] signature = auth.signAnswer(inc.connection, inc.offerHash, inc.deferred, answer);
            boolean sent = node.send(NodeFrame.newBuilder().setConnectResponse(NodeWire.ConnectResponse.newBuilder()
                    .setConnectionId(cid).setStatus(Status.ACCEPTED).setAnswer(ByteString.copyFrom(answer))
                    .setAnswerSignature(ByteString.copyFrom(signature))
                    .setCalleePublicKey(ByteString.copyFrom(auth.publicKey()))
                    .setDeferredDecision(inc.deferred)).build());
            if (sent) {
                gate.open();
                LOG.log(Level.INFO, "incoming " + inc.label + " answered ACCEPTED" + (inc.deferred
                        ? " (signed; the application decides once the channel is up)" : ""));
            } else {
                LOG.log(Level.WARNING, "incoming " + inc.label + ": cannot answer, not connected to the node");
                closeSession(cid, session);
            }
        });
        session.channel().whenComplete((ch, err) -> {
            if (err != null) {
                LOG.log(Level.WARNING, "incoming " + inc.label + ": no P2P path: " + message(err));
                closeSession(cid, session);
                return;
            }
            ch.closeFuture().whenComplete((v, e) -> closeSession(cid, session));
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
                .group(group)
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
                threads.execute(ch::close); // closing lingers: not on this event loop
                return;
            }
            Channel local = f.channel();
            int localPort = ((InetSocketAddress) local.localAddress()).getPort();
            Pipe.attach(local, ch, inc.label, threads);
            inc.listening.control().connectionOpened(AppWire.ConnectionOpened.newBuilder()
                    .setConnectionId(inc.cid).setLocalPort(localPort).setPath(AppHandler.path(ch.path())).build());
            LOG.log(Level.INFO, "incoming " + inc.label + ": piped to app " + inc.listening.app() + " at 127.0.0.1:" + port
                    + " from local port " + localPort);
        });
    }

    /** Says no to connect {@code cid} before any channel exists, as {@link Refusal} decides for the privacy mode. */
    private void refuse(ByteString cid, String label, Refusal reason, String detail) {
        Refusal.Answer answer = reason.answer(settings.privacy(), detail);
        if (answer.status() != reason.answer(DaemonSettings.Privacy.UPLOAD, detail).status()
                || !answer.message().equals(detail)) {
            LOG.log(Level.INFO, "incoming " + label + ": " + reason + " (" + detail + "), answered as a plain refusal");
        }
        respond(cid, label, answer.status(), answer.message());
    }

    private void respond(ByteString cid, String label, Status status, String message) {
        boolean sent = node != null && node.send(NodeFrame.newBuilder().setConnectResponse(NodeWire.ConnectResponse.newBuilder()
                .setConnectionId(cid).setStatus(status).setMessage(message)).build());
        LOG.log(sent ? Level.INFO : Level.WARNING, "incoming " + label + " answered " + status + " (" + message + ")"
                + (sent ? "" : " but the node connection is down"));
    }

    // ---------------------------------------------------------------- signals and node events

    /**
     * The signals one session emits, numbered and signed by this user ({@code AuthTranscript.signal}); those emitted
     * before the peer may hear of them (the caller's Connect, or the callee's answer, not yet sent) are held, at most
     * {@value #SIGNALS_PER_CONNECTION}, and relayed in order once {@link #open()}ed.
     */
    private final class SignalGate implements Consumer<byte[]> {
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
                        .setSignature(ByteString.copyFrom(auth.signSignal(cid.toByteArray(), fromCaller, n, payload)))
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
                held.forEach(Daemon.this::sendSignal);
                held = null;
            }
        }
    }

    /**
     * Who must have signed a connection's incoming signals: the peer whose offer or answer was verified (authenticated
     * connections only). Signals are checked in arrival order; a bad signature or a sequence number not above the last
     * accepted one (a replay or a reordering by the node) drops the signal.
     */
    private final class SignalCheck {
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
            chain = chain.thenCompose(v -> auth.verifySignal(peer, peerKey, cid.toByteArray(), peerIsCaller, n, payload,
                    signature)).handle((ok, err) -> {
                        if (err != null) {
                            LOG.log(Level.WARNING, "signal " + n + " for " + hex(cid) + " dropped: " + message(err));
                        } else if (n <= last) {
                            LOG.log(Level.WARNING, "signal " + n + " for " + hex(cid) + " dropped: replayed or out of "
                                    + "order (last accepted " + last + ")");
                        } else {
                            last = n;
                            Daemon.deliver(cid, s, payload);
                        }
                        return null;
                    });
        }
    }

    /** A session receiving signals, and how they are checked (null: not authenticated, taken as they come). */
    private record Registered(PeerSession session, SignalCheck check) {
        void deliver(ByteString cid, NodeWire.Signal signal) {
            if (check == null) {
                Daemon.deliver(cid, session, signal.getPayload().toByteArray());
            } else {
                check.deliver(session, signal);
            }
        }
    }

    private void sendSignal(NodeWire.Signal signal) {
        NodeClient n = node;
        if (n == null || !n.send(NodeFrame.newBuilder().setSignal(signal).build())) {
            LOG.log(Level.DEBUG, "signal for " + hex(signal.getConnectionId()) + " dropped: not connected to the node");
        }
    }

    /**
     * From now on signals for {@code cid} go to {@code s}, first those that arrived earlier; with a {@code check} only
     * those its peer signed.
     */
    private void registerSession(ByteString cid, PeerSession s, SignalCheck check) {
        synchronized (signalLock) {
            Registered r = new Registered(s, check);
            sessions.put(cid, r);
            for (byte[] early : buffer.drain(cid)) {
                try {
                    r.deliver(cid, NodeWire.Signal.parseFrom(early));
                } catch (com.google.protobuf.InvalidProtocolBufferException e) {
                    throw new IllegalStateException("a buffered signal no longer parses", e); // we serialised it
                }
            }
        }
    }

    private void onSignal(NodeWire.Signal signal) {
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

    private static void deliver(ByteString cid, PeerSession s, byte[] signal) {
        try {
            s.remoteSignal(signal);
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "signal for " + hex(cid) + " rejected by the transport: " + message(e));
        }
    }

    private void closeSession(ByteString cid, PeerSession s) {
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

    @Override
    public void disconnected(String reason, boolean wasConnected) {
        notConnected = "not connected to the node: " + reason;
        if (!wasConnected) {
            return;
        }
        for (OutgoingAttempt a : List.copyOf(outgoing.values())) {
            a.finish(Status.FAILED, "lost the node connection: " + reason, null);
        }
    }

    @Override
    public int connectsInFlight() {
        return outgoing.size() + incoming.size();
    }

    @Override
    public void frame(NodeFrame frame) {
        switch (frame.getBodyCase()) {
            case CONNECT_REQUEST -> onConnectRequest(frame.getConnectRequest());
            case CONNECT_RESULT -> onConnectResult(frame.getConnectResult());
            case SIGNAL -> onSignal(frame.getSignal());
            case CONNECT_CANCEL -> onCancel(frame.getConnectCancel());
            default -> LOG.log(Level.WARNING, "unexpected " + frame.getBodyCase());
        }
    }

    // ---------------------------------------------------------------- helpers

    private static NodeWire.ChannelType wire(ChannelType type) {
        return type == ChannelType.STREAM ? NodeWire.ChannelType.STREAM : NodeWire.ChannelType.DATA;
    }

    static String hex(ByteString b) {
        return HexFormat.of().formatHex(b.toByteArray());
    }

    private static String message(Throwable t) {
        Throwable c = t;
        while ((c instanceof CompletionException || c instanceof java.util.concurrent.ExecutionException) && c.getCause() != null) {
            c = c.getCause();
        }
        return c.getMessage() == null ? c.toString() : c.getMessage();
    }
}
