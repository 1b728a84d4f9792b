package org.gcs.client;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import org.gcs.api.AppId;
import org.gcs.api.DeviceId;
import org.gcs.api.GcsException;
import org.gcs.api.UserId;
import org.gcs.api.transport.ChannelType;
import org.gcs.api.wire.AppWire;
import org.gcs.client.internal.DaemonEndpoint;
import org.gcs.client.internal.Failures;
import org.gcs.client.internal.FrameChannel;
import org.gcs.client.internal.ListenerImpl;
import org.gcs.client.internal.Opener;
import org.gcs.client.internal.RequestMux;
import org.gcs.client.internal.Threads;
import org.gcs.client.internal.Wire;

/**
 * An application's session with its local GCS daemon (PROTOCOL.md, "Application &lt;-&gt; daemon"), over the daemon's
 * Unix domain socket ({@link #local()}, {@link #local(Path)}) or its loopback TCP port ({@link #local(int)},
 * {@link #connect(InetSocketAddress, ClientOptions)}), where the client presents the daemon's cookie: the one given in
 * {@link ClientOptions#withCookie}, or else the contents of {@code api.cookie} in the daemon's state directory
 * ({@link ClientOptions#resolvedStateDir()}). Queries share one connection, multiplexed by request id; every
 * {@link #open} and every {@link #listen} uses a connection of its own, which for {@code open} becomes the pipe. Works
 * on a plain classpath; thread-safe.
 *
 * <pre>{@code
 * try (GcsClient gcs = GcsClient.local(Path.of("/home/alice/gcs/state"))) {   // the daemon's state.dir
 *     UserId bob = UserId.parse("pk:7d2kx...");
 *     List<DeviceId> devices = gcs.availableDevices(bob).get(10, TimeUnit.SECONDS);
 *     try (PeerConnection pipe = gcs.open(bob, devices.get(0), AppId.of("chat"), AppId.of("chat"), ChannelType.DATA)
 *             .get(2, TimeUnit.MINUTES)) {
 *         pipe.output().write("hello\n".getBytes(StandardCharsets.UTF_8));
 *         pipe.shutdownOutput();
 *         System.out.println(new String(pipe.input().readAllBytes(), StandardCharsets.UTF_8));
 *     }
 * } catch (ExecutionException e) {
 *     System.err.println("failed: " + Status.of(e).map(Status::name).orElse("") + " " + e.getCause().getMessage());
 * }
 *
 * // the other side
 * try (GcsClient gcs = GcsClient.local();            // the daemon's socket named in ./state or $GCS_STATE_DIR
 *      Listener listener = gcs.listen(AppId.of("chat"), IncomingHandler.acceptAll())) {
 *     PeerConnection pipe = listener.accept(Duration.ofMinutes(5));
 *     ...
 * }
 * }</pre>
 *
 * A daemon that refuses the application (no or a wrong cookie on TCP) makes the factories throw
 * {@link org.gcs.api.AuthenticationException}, saying where the cookie came from.
 *
 * <p>Failures reach futures as the most specific {@link GcsException}: {@link org.gcs.api.UnknownUserException},
 * {@link org.gcs.api.DeviceOfflineException}, {@link org.gcs.api.RefusedException},
 * {@link org.gcs.api.AuthenticationException}, {@link org.gcs.api.TransportException} (no P2P path) or
 * {@link GcsConnectException}, each carrying its {@link Status} ({@link Status#of(Throwable)}); a daemon that breaks
 * the protocol fails every pending request with {@link org.gcs.api.ProtocolException} and the connection closes;
 * a closed connection fails them with {@link ConnectionClosedException}.
 */
public final class GcsClient implements AutoCloseable {
    private final DaemonEndpoint daemon;
    private final ClientOptions options;
    private final FrameChannel.Welcome welcome;
    private final RequestMux mux;
    private final ScheduledThreadPoolExecutor scheduler;
    private final ExecutorService workers;
    private final Opener opener;
    private final Set<Listener> listeners = ConcurrentHashMap.newKeySet();

    private GcsClient(DaemonEndpoint daemon, ClientOptions options, FrameChannel main) {
        this.daemon = daemon;
        this.options = options;
        this.welcome = main.welcome();
        this.scheduler = new ScheduledThreadPoolExecutor(1, Threads.factory("gcs-client-timer"));
        this.scheduler.setRemoveOnCancelPolicy(true);
        this.workers = Executors.newCachedThreadPool(Threads.factory("gcs-client-worker"));
        this.mux = new RequestMux(main, scheduler);
        this.opener = new Opener(daemon, options, workers);
    }

    /**
     * Connects over the Unix socket of the daemon whose state directory is {@code $GCS_STATE_DIR}, or else
     * {@code ./state}, with {@link ClientOptions#defaults()}.
     */
    public static GcsClient local() throws IOException {
        return local(ClientOptions.defaults());
    }

    /** Connects over the Unix socket of the daemon whose {@code state.dir} is {@code stateDir}. */
    public static GcsClient local(Path stateDir) throws IOException {
        return local(ClientOptions.defaults().withStateDir(stateDir));
    }

    /**
     * Connects over the Unix socket of the daemon whose state directory {@code options} name
     * ({@link ClientOptions#resolvedStateDir()}): the path in its {@code api.socket}, else {@code api/daemon.sock}.
     */
    public static GcsClient local(ClientOptions options) throws IOException {
        Objects.requireNonNull(options, "options");
        return start(DaemonEndpoint.unix(options), options);
    }

    /**
     * Connects to the daemon's TCP port on the loopback address with {@link ClientOptions#defaults()}: the cookie comes
     * from {@code api.cookie} in {@code $GCS_STATE_DIR} or {@code ./state}. To name the state directory, use
     * {@link #connect(InetSocketAddress, ClientOptions)} with {@link ClientOptions#withStateDir}, or {@link #local(Path)}.
     */
    public static GcsClient local(int port) throws IOException {
        return connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
    }

    /** Connects over TCP with {@link ClientOptions#defaults()} (cookie as for {@link #local(int)}). */
    public static GcsClient connect(InetSocketAddress daemon) throws IOException {
        return connect(daemon, ClientOptions.defaults());
    }

    /**
     * Connects to the daemon's TCP endpoint and exchanges AppHello / AppWelcome, presenting {@link ClientOptions#cookie()}
     * or else the contents of {@code api.cookie} in {@link ClientOptions#resolvedStateDir()}.
     *
     * @throws IncompatibleDaemonException if the daemon speaks another protocol version
     * @throws org.gcs.api.AuthenticationException if it refuses the cookie (or that none was found)
     * @throws org.gcs.api.ProtocolException if it answers anything but AppWelcome
     * @throws IOException if it cannot be reached, is busy, or does not answer within {@link ClientOptions#connectTimeout()}
     */
    public static GcsClient connect(InetSocketAddress daemon, ClientOptions options) throws IOException {
        Objects.requireNonNull(daemon, "daemon");
        Objects.requireNonNull(options, "options");
        return start(DaemonEndpoint.tcp(daemon, options), options);
    }

    /** Connects over the Unix domain socket {@code socket} (no cookie needed there). */
    public static GcsClient connect(UnixDomainSocketAddress socket, ClientOptions options) throws IOException {
        Objects.requireNonNull(socket, "socket");
        Objects.requireNonNull(options, "options");
        return start(DaemonEndpoint.unix(socket.getPath()), options);
    }

    private static GcsClient start(DaemonEndpoint daemon, ClientOptions options) throws IOException {
        FrameChannel main = FrameChannel.open(daemon, options.connectTimeout());
        GcsClient client = new GcsClient(daemon, options, main);
        client.mux.start();
        return client;
    }

    /** The daemon's user, from AppWelcome. */
    public UserId user() {
        return welcome.user();
    }

    /** The daemon's device, from AppWelcome. */
    public DeviceId device() {
        return welcome.device();
    }

    /** Whether the daemon was logged in to its node when this client connected (a snapshot, not updated). */
    public boolean nodeConnected() {
        return welcome.nodeConnected();
    }

    /** The application protocol version agreed in the hello. */
    public int protocolVersion() {
        return welcome.protocolVersion();
    }

    /** The daemon's TCP address, or {@code null} when this client uses its Unix socket (see {@link #daemonEndpoint()}). */
    public InetSocketAddress daemonAddress() {
        return daemon.address() instanceof InetSocketAddress tcp ? tcp : null;
    }

    /** Where this client reaches the daemon: an {@link InetSocketAddress} or a {@link UnixDomainSocketAddress}. */
    public SocketAddress daemonEndpoint() {
        return daemon.address();
    }

    public ClientOptions options() {
        return options;
    }

    /**
     * The devices of {@code user} that are online and visible to the daemon's user. Fails with
     * {@link org.gcs.api.UnknownUserException} or {@link org.gcs.api.RefusedException} (not a friend), each carrying
     * its {@link Status}.
     */
    public CompletableFuture<List<DeviceId>> availableDevices(UserId user) {
        Objects.requireNonNull(user, "user");
        String what = "devices of " + user;
        return mux.request(what,
                id -> AppWire.AppFrame.newBuilder().setGetAvailableDevices(
                        AppWire.GetAvailableDevices.newBuilder().setRequestId(id).setUserId(user.toString())).build(),
                AppWire.AppFrame.BodyCase.AVAILABLE_DEVICES,
                frame -> {
                    AppWire.AvailableDevices a = frame.getAvailableDevices();
                    Status status = Wire.status(a.getStatus());
                    if (status != Status.OK) {
                        throw Failures.forStatus(status, what, a.getMessage(), false);
                    }
                    return a.getDevicesList().stream().map(d -> Wire.device("device", d)).toList();
                },
                options.requestTimeout());
    }

    /**
     * The entries of the daemon user's friends file, in its order. The daemon answers in pages that each fit a frame
     * (app.proto, GetFriends); this asks for them one after the other and starts again, at most {@value #FRIENDS_RESTARTS}
     * times, if the list changed meanwhile.
     */
    public CompletableFuture<List<Friend>> friends() {
        return friendsFrom(0, new java.util.ArrayList<>(), -1, 0);
    }

    /** How often {@link #friends()} starts again when the list changes while it reads the pages. */
    static final int FRIENDS_RESTARTS = 3;

    private CompletableFuture<List<Friend>> friendsFrom(int offset, List<Friend> sofar, int total, int restarts) {
        return mux.request("friends",
                id -> AppWire.AppFrame.newBuilder().setGetFriends(AppWire.GetFriends.newBuilder().setRequestId(id)
                        .setOffset(offset)).build(),
                AppWire.AppFrame.BodyCase.FRIENDS, frame -> frame.getFriends(), options.requestTimeout())
                .thenCompose(page -> {
                    if (total >= 0 && page.getTotal() != total) {
                        if (restarts >= FRIENDS_RESTARTS) {
                            return CompletableFuture.failedFuture(new GcsException(
                                    "the friends list kept changing while it was read"));
                        }
                        return friendsFrom(0, new java.util.ArrayList<>(), -1, restarts + 1);
                    }
                    for (AppWire.Friend f : page.getFriendsList()) {
                        sofar.add(new Friend(Wire.user("friend user_id", f.getUserId()), f.getPetname(),
                                f.getAuthenticated()));
                    }
                    int next = page.getNextOffset();
                    if (next == 0) {
                        return CompletableFuture.completedFuture(List.copyOf(sofar));
                    }
                    if (next <= offset || next > page.getTotal() || page.getFriendsCount() == 0) {
                        return CompletableFuture.failedFuture(new org.gcs.api.ProtocolException(
                                "the daemon's friends page at " + offset + " points to " + next + " of "
                                        + page.getTotal()));
                    }
                    return friendsFrom(next, sofar, page.getTotal(), restarts);
                });
    }

    /**
     * Starts listening for connections to {@code app}: binds a server socket on {@code 127.0.0.1} (ephemeral port),
     * sends ListenIntent on a control connection of its own and waits for ListenResult. {@code handler} decides on each
     * request; opened pipes are collected with {@link Listener#accept} or handed to the callback of
     * {@link IncomingDecision#accept(java.util.function.Consumer)}.
     *
     * @throws GcsException carrying a {@link Status} if the daemon refuses the intent
     * @throws IOException if the server socket cannot be bound or the daemon cannot be reached
     */
    public Listener listen(AppId app, IncomingHandler handler) throws IOException {
        Objects.requireNonNull(app, "app");
        Objects.requireNonNull(handler, "handler");
        requireOpen();
        ListenerImpl listener = ListenerImpl.open(daemon, app, handler, options, scheduler, workers);
        listeners.add(listener);
        listener.closed().whenComplete((v, e) -> listeners.remove(listener));
        if (!mux.isOpen()) {
            listener.close();
            requireOpen();
        }
        return listener;
    }

    /**
     * Opens a pipe to application {@code app} on {@code device} of {@code user}, as application {@code fromApp}. A new
     * connection to the daemon carries ConnectApp; with ACCEPTED it becomes the pipe. Otherwise the future fails with
     * an exception carrying the status and the daemon's message ({@link Status#REJECTED}, {@code UNKNOWN_USER},
     * {@code DEVICE_OFFLINE}, {@code UNKNOWN_APP}, {@code REFUSED}, {@code TIMEOUT}, {@code FAILED},
     * {@code UNAUTHENTICATED}). Cancelling the future aborts the request.
     */
    public CompletableFuture<PeerConnection> open(UserId user, DeviceId device, AppId app, AppId fromApp, ChannelType type) {
        Objects.requireNonNull(user, "user");
        Objects.requireNonNull(device, "device");
        Objects.requireNonNull(app, "app");
        Objects.requireNonNull(fromApp, "fromApp");
        Objects.requireNonNull(type, "type");
        if (!mux.isOpen()) {
            return CompletableFuture.failedFuture(new ConnectionClosedException("client closed"));
        }
        return opener.open(user, device, app, fromApp, type);
    }

    /** {@link #open(UserId, DeviceId, AppId, AppId, ChannelType)} from an application of the same id, over a DATA pipe. */
    public CompletableFuture<PeerConnection> open(UserId user, DeviceId device, AppId app) {
        return open(user, device, app, app, ChannelType.DATA);
    }

    /** True until {@link #close()} or until the main connection to the daemon is lost. */
    public boolean isOpen() {
        return mux.isOpen();
    }

    /** Completes normally after {@link #close()}, exceptionally if the main connection failed on its own. */
    public CompletableFuture<Void> closed() {
        return mux.closed();
    }

    private void requireOpen() {
        if (!mux.isOpen()) {
            throw new ConnectionClosedException("client closed");
        }
    }

    /**
     * Closes the main connection (pending queries fail with {@link ConnectionClosedException}), aborts opens still
     * waiting for their result and closes every listener. Pipes already handed out stay open: close them yourself.
     */
    @Override
    public void close() {
        mux.close();
        opener.close();
        for (Listener l : List.copyOf(listeners)) {
            l.close();
        }
        scheduler.shutdownNow();
        workers.shutdown();
    }
}
