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
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
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
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.gcs.api.AppId;
import org.gcs.api.DeviceId;
import org.gcs.api.UserId;
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
import org.gcs.daemon.app.AppBackend;
import org.gcs.daemon.app.AppControl;
import org.gcs.daemon.app.AppHandler;
import org.gcs.daemon.app.AppServer;
import org.gcs.daemon.friends.FriendsList;
import org.gcs.daemon.friends.FriendsWatcher;
import org.gcs.daemon.node.NodeClient;
import org.gcs.daemon.pipe.Pipe;

/**
 * A device's daemon: loads the user's key, keeps the friends list, stays logged in to the node, serves the local
 * application API, and runs both sides of every connection.
 *
 * <p>Caller: {@code ConnectApp} from an app -> a {@code CONTROLLING} session, {@code Connect} with its offer -> on
 * {@code ConnectResult{ACCEPTED}} the answer goes to the session, and once the channel is up the app's connection
 * becomes the pipe. Callee: {@code ConnectRequest} -> friends check, listener lookup, {@code IncomingConnectionRequest}
 * to the app -> on accept a {@code CONTROLLED} session answers, and once the channel is up the daemon connects to the
 * app's port and pipes. Signals are relayed through the node both ways and buffered until a session exists.
 *
 * <pre>{@code
 * Daemon d = new Daemon(settings, credentialStore, transport);
 * d.start();        // prints "GCS daemon user id: pk:... device: laptop"
 * ...
 * d.close();
 * }</pre>
 */
public final class Daemon implements AppBackend, NodeClient.Listener, AutoCloseable {
    private static final Logger LOG = System.getLogger(Daemon.class.getName());
    /** Extra time a caller's session gets for ICE after the callee's answer. */
    static final Duration ICE_TIME = Duration.ofSeconds(15);
    static final Duration DEVICES_TIMEOUT = Duration.ofSeconds(10);
    static final int SIGNALS_PER_CONNECTION = 64;
    static final int BUFFERED_CONNECTIONS = 256;
    static final Duration SIGNAL_MAX_AGE = Duration.ofSeconds(60);

    private final DaemonSettings settings;
    private final CredentialStore store;
    private final P2PTransport transport;
    private final SecureRandom random = new SecureRandom();
    private final Map<AppId, Listening> listeners = new ConcurrentHashMap<>();
    private final Map<ByteString, OutgoingAttempt> outgoing = new ConcurrentHashMap<>();
    private final Map<ByteString, Incoming> incoming = new ConcurrentHashMap<>();
    private final Map<ByteString, PeerSession> sessions = new ConcurrentHashMap<>();
    private final Object signalLock = new Object();
    private final SignalBuffer buffer = new SignalBuffer(SIGNALS_PER_CONNECTION, BUFFERED_CONNECTIONS,
            SIGNAL_MAX_AGE.toNanos(), System::nanoTime);

    private EventLoopGroup group;
    private ExecutorService threads;
    private UserCredential credential;
    private FriendsWatcher friends;
    private NodeClient node;
    private AppServer api;
    private int apiPort;

    private record Listening(AppId app, int port, AppControl control) {
    }

    public Daemon(DaemonSettings settings, CredentialStore store, P2PTransport transport) {
        this.settings = settings;
        this.store = store;
        this.transport = transport;
    }

    /** Loads the key, reads the friends list, opens the application API, writes the state files and starts the node session. */
    public void start() throws IOException, InterruptedException {
        group = new MultiThreadIoEventLoopGroup(2, new DefaultThreadFactory("gcs-daemon", true), NioIoHandler.newFactory());
        threads = Executors.newCachedThreadPool(new DefaultThreadFactory("gcs-daemon-worker", true));
        try {
            Path parent = settings.keyFile().toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            credential = store.loadOrCreate(settings.keyFile(), settings.name().isEmpty() ? null : settings.name());
            if (!credential.user().scheme().equals(settings.scheme())) {
                throw new IllegalStateException("scheme is " + settings.scheme() + " but the credential store made a "
                        + credential.user().scheme() + " identity");
            }
            friends = new FriendsWatcher(settings.friendsFile(), this::friendsChanged);
            friends.start(group, 1000);
            api = new AppServer(this, group, threads);
            apiPort = api.bind(settings.apiHost(), settings.apiPort());
            Files.createDirectories(settings.stateDir());
            writeState("user-id", credential.user().toString());
            writeState("api.port", Integer.toString(apiPort));
            String banner = "GCS daemon user id: " + credential.user() + " device: " + settings.device();
            LOG.log(Level.INFO, banner);
            System.out.println(banner);
            node = new NodeClient(NodeClient.Settings.of(settings.nodeHost(), settings.nodePort(), settings.nodeId(),
                    settings.device()), credential, this::friendsUpload, this, group);
            node.start();
        } catch (IOException | InterruptedException | RuntimeException e) {
            close();
            throw e;
        }
    }

    private void writeState(String name, String value) throws IOException {
        Path target = settings.stateDir().resolve(name);
        Path tmp = settings.stateDir().resolve(name + ".tmp");
        Files.writeString(tmp, value + "\n", StandardCharsets.UTF_8);
        Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    /** The port the application API listens on. */
    public int apiPort() {
        return apiPort;
    }

    public UserId user() {
        return credential.user();
    }

    public FriendsList friendsList() {
        return friends.current();
    }

    /** Re-reads the friends file now if it changed (the watcher also does this every second). */
    public void checkFriends() {
        friends.check();
    }

    @Override
    public void close() {
        if (friends != null) {
            friends.close();
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
        }
        incoming.clear();
        for (Map.Entry<ByteString, PeerSession> e : List.copyOf(sessions.entrySet())) {
            closeSession(e.getKey(), e.getValue());
        }
        if (group != null) {
            group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
        }
        if (threads != null) {
            threads.shutdownNow();
        }
    }

    // ---------------------------------------------------------------- friends

    private NodeClient.FriendsUpload friendsUpload() {
        return settings.privacy() == DaemonSettings.Privacy.UPLOAD
                ? new NodeClient.FriendsUpload(true, friends.current().ids())
                : new NodeClient.FriendsUpload(false, List.of());
    }

    private void friendsChanged(FriendsList list) {
        NodeClient n = node;
        if (n != null && settings.privacy() == DaemonSettings.Privacy.UPLOAD && n.connected()) {
            if (n.sendFriendsUpdate(new NodeClient.FriendsUpload(true, list.ids()))) {
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
                case FAILED -> nodeConnected() ? "the node could not answer" : "not connected to the node";
                default -> "";
            };
            LOG.log(Level.INFO, "devices of " + user + ": " + a.getStatus() + " " + a.getDevicesList());
            return new DevicesResult(a.getStatus(), a.getDevicesList(), message);
        });
    }

    @Override
    public List<AppWire.Friend> friends() {
        List<AppWire.Friend> out = new ArrayList<>();
        friends.current().entries().forEach((user, petname) ->
                out.add(AppWire.Friend.newBuilder().setUserId(user.toString()).setPetname(petname).build()));
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
                respond(inc.cid, inc.label, Status.UNKNOWN_APP, "the application stopped listening");
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
            respond(cid, inc.label, Status.REJECTED, "the application rejected the connection");
            return true;
        }
        LOG.log(Level.INFO, "incoming " + inc.label + " accepted by app " + inc.listening.app());
        threads.execute(() -> acceptIncoming(inc));
        return true;
    }

    @Override
    public Outgoing connect(UserId user, DeviceId device, AppId app, AppId fromApp, ChannelType type) {
        byte[] id = new byte[16];
        random.nextBytes(id);
        OutgoingAttempt a = new OutgoingAttempt(id);
        LOG.log(Level.INFO, "connect " + a.label + " to " + user + "/" + device + " app " + app + " from app " + fromApp
                + " (" + type + ")");
        NodeClient n = node;
        if (n == null || !n.connected()) {
            a.finish(Status.FAILED, "not connected to the node", null);
            return a;
        }
        outgoing.put(a.cid, a);
        a.timer = group.schedule(() -> a.finish(Status.TIMEOUT, "no answer within "
                + settings.connectTimeout().toSeconds() + " s", null), settings.connectTimeout().toMillis(), TimeUnit.MILLISECONDS);
        threads.execute(() -> {
            PeerSession s;
            try {
                s = transport.newSession(new SessionOptions(Role.CONTROLLING, type, n.iceServers(),
                        settings.connectTimeout().plus(ICE_TIME)), a::signalOut);
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
                boolean sent = n.send(NodeFrame.newBuilder().setConnect(NodeWire.Connect.newBuilder()
                        .setConnectionId(a.cid)
                        .setCalleeUser(user.toString())
                        .setCalleeDevice(device.name())
                        .setCalleeApp(app.name())
                        .setCallerApp(fromApp.name())
                        .setType(wire(type))
                        .setOffer(ByteString.copyFrom(offer))).build());
                if (!sent) {
                    a.finish(Status.FAILED, "not connected to the node", null);
                } else {
                    a.connectSent();
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
        volatile PeerSession session;
        volatile ScheduledFuture<?> timer;

        OutgoingAttempt(byte[] id) {
            this.id = id.clone();
            this.cid = ByteString.copyFrom(id);
            this.label = HexFormat.of().formatHex(id);
        }

        private List<byte[]> early = new ArrayList<>();

        /** Signals the session emits before Connect went out would reach the node before the connection exists: hold them. */
        void signalOut(byte[] payload) {
            synchronized (this) {
                if (early != null) {
                    if (early.size() < SIGNALS_PER_CONNECTION) {
                        early.add(payload);
                    }
                    return;
                }
            }
            sendSignal(cid, payload);
        }

        void connectSent() {
            List<byte[]> held;
            synchronized (this) {
                held = early;
                early = null;
            }
            held.forEach(p -> sendSignal(cid, p));
        }

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
            finish(Status.FAILED, "the application closed its connection", null);
        }

        void finish(Status status, String message, P2PChannel channel) {
            outgoing.remove(cid, this);
            ScheduledFuture<?> t = timer;
            if (t != null) {
                t.cancel(false);
            }
            if (!result.complete(new ConnectOutcome(status, message, channel))) {
                if (channel != null) {
                    channel.close();
                }
                return;
            }
            LOG.log(Level.INFO, "connect " + label + " result " + status
                    + (message == null || message.isEmpty() ? "" : " (" + message + ")")
                    + (channel != null ? ", channel path " + channel.path() : ""));
            if (status != Status.ACCEPTED) {
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
        if (s == null || a.result.isDone()) {
            a.finish(Status.FAILED, "answer arrived for an attempt without a session", null);
            return;
        }
        ScheduledFuture<?> t = a.timer;
        if (t != null) {
            t.cancel(false);
        }
        LOG.log(Level.INFO, "connect " + a.label + " accepted by the callee, opening the P2P channel");
        byte[] answer = r.getAnswer().toByteArray();
        threads.execute(() -> {
            try {
                s.remoteDescription(answer);
            } catch (RuntimeException e) {
                a.finish(Status.FAILED, "the callee's answer is unusable: " + message(e), null);
                return;
            }
            registerSession(a.cid, s);
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
                a.finish(Status.ACCEPTED, "", ch);
            });
        });
    }

    // ---------------------------------------------------------------- callee side

    /** An incoming request waiting for the application's decision. */
    private static final class Incoming {
        final ByteString cid;
        final String label;
        final NodeWire.ConnectRequest request;
        final ChannelType type;
        final Listening listening;
        volatile ScheduledFuture<?> timer;

        Incoming(NodeWire.ConnectRequest request, ChannelType type, Listening listening) {
            this.cid = request.getConnectionId();
            this.label = hex(cid);
            this.request = request;
            this.type = type;
            this.listening = listening;
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
        try {
            caller = UserId.parse(r.getCallerUser());
        } catch (IllegalArgumentException e) {
            respond(cid, label, Status.FAILED, "bad caller id: " + e.getMessage());
            return;
        }
        FriendsList list = friends.current();
        String petname = list.petname(caller);
        LOG.log(Level.INFO, "incoming " + label + " from " + caller + (petname.isEmpty() ? "" : " (" + petname + ")")
                + "/" + r.getCallerDevice() + " app " + r.getCallerApp() + " for app " + r.getCalleeApp() + " (" + r.getType() + ")");
        if (!caller.equals(credential.user()) && !list.contains(caller)) {
            respond(cid, label, Status.REFUSED, "not on the callee's friends list");
            return;
        }
        AppId app;
        try {
            app = AppId.of(r.getCalleeApp());
        } catch (IllegalArgumentException e) {
            respond(cid, label, Status.UNKNOWN_APP, e.getMessage());
            return;
        }
        ChannelType type = switch (r.getType()) {
            case DATA -> ChannelType.DATA;
            case STREAM -> ChannelType.STREAM;
            default -> null;
        };
        if (type == null) {
            respond(cid, label, Status.FAILED, "unsupported channel type " + r.getType());
            return;
        }
        Listening l = listeners.get(app);
        if (l == null) {
            respond(cid, label, Status.UNKNOWN_APP, "no application listens for app " + app);
            return;
        }
        Incoming inc = new Incoming(r, type, l);
        if (incoming.putIfAbsent(cid, inc) != null) {
            LOG.log(Level.WARNING, "ignoring a repeated ConnectRequest " + label);
            return;
        }
        inc.timer = group.schedule(() -> {
            if (incoming.remove(cid, inc)) {
                respond(cid, label, Status.REJECTED, "the application did not decide within "
                        + settings.decisionTimeout().toSeconds() + " s");
            }
        }, settings.decisionTimeout().toMillis(), TimeUnit.MILLISECONDS);
        l.control().incomingRequest(AppWire.IncomingConnectionRequest.newBuilder()
                .setConnectionId(cid)
                .setCallerUser(caller.toString())
                .setCallerPetname(petname)
                .setCallerDevice(r.getCallerDevice())
                .setCallerApp(r.getCallerApp())
                .setApp(app.name())
                .setType(r.getType())
                .build());
    }

    private void acceptIncoming(Incoming inc) {
        ByteString cid = inc.cid;
        PeerSession s = null;
        try {
            s = transport.newSession(new SessionOptions(Role.CONTROLLED, inc.type, node.iceServers(),
                    settings.connectTimeout()), signal -> sendSignal(cid, signal));
            s.remoteDescription(inc.request.getOffer().toByteArray());
        } catch (RuntimeException e) {
            if (s != null) {
                s.close();
            }
            respond(cid, inc.label, Status.FAILED, "transport: " + message(e));
            return;
        }
        PeerSession session = s;
        registerSession(cid, session);
        session.localDescription().whenComplete((answer, err) -> {
            if (err != null) {
                respond(cid, inc.label, Status.FAILED, "transport: " + message(err));
                closeSession(cid, session);
                return;
            }
            boolean sent = node.send(NodeFrame.newBuilder().setConnectResponse(NodeWire.ConnectResponse.newBuilder()
                    .setConnectionId(cid).setStatus(Status.ACCEPTED).setAnswer(ByteString.copyFrom(answer))).build());
            if (sent) {
                LOG.log(Level.INFO, "incoming " + inc.label + " answered ACCEPTED");
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
            LOG.log(Level.INFO, "incoming " + inc.label + ": channel open, path " + ch.path());
            openLocal(inc, ch);
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
                ch.close();
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

    private void respond(ByteString cid, String label, Status status, String message) {
        boolean sent = node != null && node.send(NodeFrame.newBuilder().setConnectResponse(NodeWire.ConnectResponse.newBuilder()
                .setConnectionId(cid).setStatus(status).setMessage(message)).build());
        LOG.log(sent ? Level.INFO : Level.WARNING, "incoming " + label + " answered " + status + " (" + message + ")"
                + (sent ? "" : " but the node connection is down"));
    }

    // ---------------------------------------------------------------- signals and node events

    private void sendSignal(ByteString cid, byte[] payload) {
        NodeClient n = node;
        if (n == null || !n.send(NodeFrame.newBuilder().setSignal(NodeWire.Signal.newBuilder()
                .setConnectionId(cid).setPayload(ByteString.copyFrom(payload))).build())) {
            LOG.log(Level.DEBUG, "signal for " + hex(cid) + " dropped: not connected to the node");
        }
    }

    private void registerSession(ByteString cid, PeerSession s) {
        synchronized (signalLock) {
            sessions.put(cid, s);
            for (byte[] signal : buffer.drain(cid)) {
                deliver(cid, s, signal);
            }
        }
    }

    private void onSignal(NodeWire.Signal signal) {
        ByteString cid = signal.getConnectionId();
        synchronized (signalLock) {
            PeerSession s = sessions.get(cid);
            if (s != null) {
                deliver(cid, s, signal.getPayload().toByteArray());
            } else if (!buffer.add(cid, signal.getPayload().toByteArray())) {
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
            sessions.remove(cid, s);
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
        if (!wasConnected) {
            return;
        }
        for (OutgoingAttempt a : List.copyOf(outgoing.values())) {
            a.finish(Status.FAILED, "lost the node connection: " + reason, null);
        }
    }

    @Override
    public void frame(NodeFrame frame) {
        switch (frame.getBodyCase()) {
            case CONNECT_REQUEST -> onConnectRequest(frame.getConnectRequest());
            case CONNECT_RESULT -> onConnectResult(frame.getConnectResult());
            case SIGNAL -> onSignal(frame.getSignal());
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
