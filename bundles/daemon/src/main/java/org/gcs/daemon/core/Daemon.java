package org.gcs.daemon.core;

import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.lang.System.Logger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.gcs.api.AppId;
import org.gcs.api.DeviceId;
import org.gcs.api.UserId;
import org.gcs.api.auth.AuthProvider;
import org.gcs.api.auth.CredentialStore;
import org.gcs.api.transport.ChannelType;
import org.gcs.api.transport.P2PTransport;
import org.gcs.api.wire.AppWire;
import org.gcs.api.wire.NodeWire.NodeFrame;
import org.gcs.api.wire.WireVersions;
import org.gcs.daemon.app.ApiCookie;
import org.gcs.daemon.app.ApiSettings;
import org.gcs.daemon.app.AppAdmission;
import org.gcs.daemon.app.AppBackend;
import org.gcs.daemon.app.AppControl;
import org.gcs.daemon.app.AppServer;
import org.gcs.daemon.auth.ReplayGuard;
import org.gcs.daemon.auth.SignedSignaling;
import org.gcs.daemon.core.DaemonContext.Listening;
import org.gcs.daemon.friends.FriendsList;
import org.gcs.daemon.friends.FriendsWatcher;
import org.gcs.daemon.node.NodeClient;
import org.gcs.internal.files.AtomicFiles;

/**
 * A device's daemon: loads the user's key, keeps the friends list, stays logged in to the node, serves the local
 * application API, and hands each connection to its flow: {@link CallerFlow} for the connects this device's
 * applications make, {@link CalleeFlow} for the requests its friends make, {@link SignalRelay} for the ICE signals
 * both exchange through the node. It owns the lifecycle ({@link #start()}, {@link #reconfigure}, {@link #close()}),
 * the friends file and its upload, the listen intents, and the state the flows share ({@link DaemonContext}).
 *
 * <p>Entry points, each delegating to a flow: the {@link AppBackend} methods run on the application connection's event
 * loop, the {@link NodeClient.Listener} methods on the node connection's event loop.
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
    private static final Logger LOG = System.getLogger(Daemon.class.getName());
    static final Duration DEVICES_TIMEOUT = Duration.ofSeconds(10);
    static final Duration FRIENDS_POLL = Duration.ofSeconds(1);

    private final CredentialStore store;
    private final Function<String, AuthProvider> authProviders;
    private final ReplayGuard replay = new ReplayGuard(ReplayGuard.DEFAULT_WINDOW, ReplayGuard.DEFAULT_CAPACITY,
            System::currentTimeMillis);
    /** What the flows share; this daemon fills it in {@link #start()}. */
    private final DaemonContext ctx;
    private final SignalRelay relay;
    private final CallerFlow caller;
    private final CalleeFlow callee;

    /** Reads the friends file: off the I/O threads, so a slow or blocked file system stalls nothing else. */
    private ScheduledExecutorService friendsReader;
    private AppServer api;
    private int apiPort = ApiSettings.TCP_OFF;
    private Path apiSocket;

    /** A daemon that cannot verify peers: connects that require authentication end {@code UNAUTHENTICATED}. */
    public Daemon(DaemonSettings settings, CredentialStore store, P2PTransport transport) {
        this(settings, store, transport, scheme -> null);
    }

    /**
     * @param authProviders the verifier of peers' signatures for a scheme, null when none is installed
     */
    public Daemon(DaemonSettings settings, CredentialStore store, P2PTransport transport,
            Function<String, AuthProvider> authProviders) {
        this.store = store;
        this.authProviders = authProviders;
        this.ctx = new DaemonContext(settings, transport);
        this.relay = new SignalRelay(ctx);
        this.caller = new CallerFlow(ctx, relay);
        this.callee = new CalleeFlow(ctx, relay);
    }

    public DaemonSettings settings() {
        return ctx.settings();
    }

    /**
     * Applies settings that differ only in privacy mode, mutual authentication or timeouts
     * ({@link DaemonSettings#sameRestartingKeys}). Switching to {@code upload} sends the friends list to the node;
     * switching away from it clears the node's copy.
     */
    public void reconfigure(DaemonSettings next) {
        if (!ctx.settings().sameRestartingKeys(next)) {
            throw new IllegalArgumentException("these settings need a restart");
        }
        DaemonSettings before = ctx.settings();
        ctx.settings(next);
        LOG.log(Level.INFO, "privacy mode " + next.privacy().key() + ", mutual authentication "
                + (next.privacy() == DaemonSettings.Privacy.LOCAL_AUTHENTICATED || next.mutualAuth() ? "on" : "per friend")
                + (before.privacy() != next.privacy() ? " (was " + before.privacy().key() + ")" : ""));
        boolean wasUpload = before.privacy() == DaemonSettings.Privacy.UPLOAD;
        boolean isUpload = next.privacy() == DaemonSettings.Privacy.UPLOAD;
        NodeClient n = ctx.node;
        if (wasUpload != isUpload && n != null && n.connected()) {
            if (n.sendFriendsUpdate()) {
                LOG.log(Level.INFO, isUpload ? "friends list sent to the node: " + ctx.friends.current().size() + " friends"
                        : "the node's copy of the friends list is cleared");
            }
        }
    }

    /**
     * Loads the key, reads the friends list, writes a new API cookie, opens the application API (Unix socket, then TCP
     * if configured), writes where to find it ({@code api.socket}, {@code api.port}, after the cookie, so a client that
     * sees them finds this start's cookie) and starts the node session.
     */
    public void start() throws IOException, InterruptedException {
        ctx.group = new MultiThreadIoEventLoopGroup(2, new DefaultThreadFactory("gcs-daemon", true), NioIoHandler.newFactory());
        ctx.threads = Executors.newCachedThreadPool(new DefaultThreadFactory("gcs-daemon-worker", true));
        DaemonSettings s = ctx.settings();
        try {
            // the store makes the key's directory itself, owner-only (CredentialStore contract)
            ctx.credential = store.loadOrCreate(s.keyFile(), s.name().isEmpty() ? null : s.name());
            if (!ctx.credential.user().scheme().equals(s.scheme())) {
                throw new IllegalStateException("scheme is " + s.scheme() + " but the credential store made a "
                        + ctx.credential.user().scheme() + " identity");
            }
            ctx.auth = new SignedSignaling(ctx.credential, authProviders, replay, System::currentTimeMillis);
            ctx.friends = new FriendsWatcher(s.friendsFile(), this::friendsChanged);
            friendsReader = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "gcs-daemon-friends-file");
                t.setDaemon(true);
                return t;
            });
            ctx.friends.start(friendsReader, FRIENDS_POLL.toMillis());
            Files.createDirectories(s.stateDir());
            openApi(s.api());
            writeState("user-id", ctx.credential.user().toString());
            writeState("api.socket", apiSocket.toString());
            if (apiPort != ApiSettings.TCP_OFF) {
                writeState("api.port", Integer.toString(apiPort));
            } else {
                Files.deleteIfExists(s.stateDir().resolve("api.port"));
            }
            String banner = "GCS daemon user id: " + ctx.credential.user() + " device: " + s.device();
            LOG.log(Level.INFO, banner);
            System.out.println(banner);
            ctx.node = new NodeClient(NodeClient.Settings.of(s.bootstrap(), s.handlersFile(), s.device()),
                    ctx.credential, this::friendsUpload, this, ctx.group);
            ctx.node.start();
        } catch (IOException | InterruptedException | RuntimeException e) {
            close();
            throw e;
        }
    }

    private void openApi(ApiSettings a) throws IOException, InterruptedException {
        ApiCookie cookie = ApiCookie.createIn(ctx.settings().stateDir(), ctx.random);
        api = new AppServer(this, ctx.group, ctx.threads);
        apiSocket = a.socket().toAbsolutePath();
        api.bindUnix(apiSocket, AppAdmission.ownerOnly("unix " + apiSocket, a.helloTimeout(), a.maxPendingHellos()));
        if (a.tcp()) {
            apiPort = api.bindTcp(a.host(), a.port(), AppAdmission.withCookie("tcp " + a.host() + ":" + a.port(), cookie,
                    a.helloTimeout(), a.maxPendingHellos()));
        }
    }

    private void writeState(String name, String value) throws IOException {
        AtomicFiles.replace(ctx.settings().stateDir().resolve(name), value + "\n");
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
        return ctx.credential.user();
    }

    public FriendsList friendsList() {
        return ctx.friends.current();
    }

    /**
     * Re-reads the friends file now and, if it changed, waits until the change has settled and is applied (at most
     * {@link FriendsWatcher#EMPTY_SETTLE}); the watcher also polls every second by itself.
     */
    public void checkFriends() throws InterruptedException {
        ctx.friends.checkAndSettle();
    }

    @Override
    public void close() {
        if (ctx.friends != null) {
            ctx.friends.close();
        }
        if (friendsReader != null) {
            friendsReader.shutdownNow();
        }
        if (ctx.node != null) {
            ctx.node.close();
        }
        if (api != null) {
            api.close();
        }
        caller.failAll("the daemon is stopping");
        callee.close();
        relay.close();
        if (ctx.group != null) {
            ctx.group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
        }
        if (ctx.threads != null) {
            ctx.threads.shutdownNow();
        }
    }

    // ---------------------------------------------------------------- friends

    /**
     * What the node gets: the list in mode {@code upload}, nothing otherwise. A list longer than a node takes is not
     * uploaded (the node then admits everybody and this daemon refuses strangers itself, as in mode {@code local}):
     * a cut list would refuse some friends at the node.
     */
    private NodeClient.FriendsUpload friendsUpload() {
        FriendsList list = ctx.friends.current();
        if (ctx.settings().privacy() != DaemonSettings.Privacy.UPLOAD) {
            return new NodeClient.FriendsUpload(false, List.of());
        }
        if (list.size() > WireVersions.MAX_FRIENDS) {
            LOG.log(Level.WARNING, "friends file " + ctx.friends.file() + " lists " + list.size() + " friends, more than the "
                    + WireVersions.MAX_FRIENDS + " a node takes: not uploaded; this daemon refuses strangers itself");
            return new NodeClient.FriendsUpload(false, List.of());
        }
        return new NodeClient.FriendsUpload(true, list.ids());
    }

    /** On the friends file's reader thread. */
    private void friendsChanged(FriendsList list) {
        NodeClient n = ctx.node;
        if (n != null && ctx.settings().privacy() == DaemonSettings.Privacy.UPLOAD && n.connected()) {
            if (n.sendFriendsUpdate() && list.size() <= WireVersions.MAX_FRIENDS) {
                LOG.log(Level.INFO, "friends list sent to the node: " + list.size() + " friends");
            }
        }
    }

    // ---------------------------------------------------------------- application API backend

    @Override
    public String userId() {
        return ctx.credential.user().toString();
    }

    @Override
    public String deviceId() {
        return ctx.settings().device().name();
    }

    @Override
    public boolean nodeConnected() {
        NodeClient n = ctx.node;
        return n != null && n.connected();
    }

    @Override
    public CompletableFuture<DevicesResult> devices(UserId user) {
        return ctx.node.devices(user, DEVICES_TIMEOUT).thenApply(a -> {
            String message = switch (a.getStatus()) {
                case TIMEOUT -> "the node did not answer within " + DEVICES_TIMEOUT.toSeconds() + " s";
                case FAILED -> nodeConnected() ? "the node could not answer" : ctx.notConnected();
                default -> "";
            };
            LOG.log(Level.INFO, "devices of " + user + ": " + a.getStatus() + " " + a.getDevicesList());
            return new DevicesResult(a.getStatus(), a.getDevicesList(), message);
        });
    }

    @Override
    public List<AppWire.Friend> friends() {
        List<AppWire.Friend> out = new ArrayList<>();
        ctx.friends.current().entries().forEach((user, petname) -> out.add(AppWire.Friend.newBuilder()
                .setUserId(user.toString()).setPetname(petname).setAuthenticated(ctx.requiresAuth(user)).build()));
        return out;
    }

    @Override
    public synchronized String listen(AppId app, int port, AppControl control) {
        Listening existing = ctx.listeners.get(app);
        if (existing != null && existing.control() != control) {
            return "app " + app + " already has a listener (" + existing.control().describe() + ")";
        }
        ctx.listeners.put(app, new Listening(app, port, control));
        return null;
    }

    @Override
    public void unlisten(AppControl control) {
        synchronized (this) {
            ctx.listeners.values().removeIf(l -> {
                if (l.control() == control) {
                    LOG.log(Level.INFO, "app " + l.app() + " stopped listening (" + control.describe() + " closed)");
                    return true;
                }
                return false;
            });
        }
        callee.withdrawFrom(control);
    }

    @Override
    public boolean decide(byte[] connectionId, boolean accept, AppControl control) {
        return callee.decide(connectionId, accept, control);
    }

    @Override
    public Outgoing connect(UserId user, DeviceId device, AppId app, AppId fromApp, ChannelType type) {
        return caller.connect(user, device, app, fromApp, type);
    }

    // ---------------------------------------------------------------- node events

    @Override
    public void disconnected(String reason, boolean wasConnected) {
        ctx.notConnected("not connected to the node: " + reason);
        if (!wasConnected) {
            return;
        }
        caller.failAll("lost the node connection: " + reason);
    }

    @Override
    public int connectsInFlight() {
        return caller.pending() + callee.pending();
    }

    @Override
    public void frame(NodeFrame frame) {
        switch (frame.getBodyCase()) {
            case CONNECT_REQUEST -> callee.onConnectRequest(frame.getConnectRequest());
            case CONNECT_RESULT -> caller.onConnectResult(frame.getConnectResult());
            case SIGNAL -> relay.onSignal(frame.getSignal());
            case CONNECT_CANCEL -> callee.onCancel(frame.getConnectCancel());
            default -> LOG.log(Level.WARNING, "unexpected " + frame.getBodyCase());
        }
    }
}
