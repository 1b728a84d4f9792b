package org.gcs.client.internal;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.gcs.api.AppId;
import org.gcs.api.GcsException;
import org.gcs.api.ProtocolException;
import org.gcs.api.wire.AppWire;
import org.gcs.client.ClientOptions;
import org.gcs.client.ConnectionClosedException;
import org.gcs.client.IncomingDecision;
import org.gcs.client.IncomingHandler;
import org.gcs.client.IncomingRequest;
import org.gcs.client.Listener;
import org.gcs.client.PeerConnection;
import org.gcs.client.Status;

/**
 * A listen intent: a control connection to the daemon that carries requests and decisions, and a loopback server
 * socket the daemon connects to. Each accepted connection is paired with its {@code ConnectionOpened} report by the
 * daemon's source port ({@link PortMatcher}).
 */
public final class ListenerImpl implements Listener {
    private static final System.Logger LOG = System.getLogger(ListenerImpl.class.getName());
    private static final long LISTEN_REQUEST_ID = 1;
    private static final long ACCEPT_POLL_MS = 200;

    /** A request the handler accepted, waiting for its ConnectionOpened. */
    private record Accepted(IncomingRequest request, IncomingDecision decision, ScheduledFuture<?>[] expiry) {
    }

    /** A ConnectionOpened report for an accepted request. */
    private record Opened(Accepted accepted, org.gcs.api.transport.PathKind path) {
    }

    private final AppId app;
    private final IncomingHandler handler;
    private final FrameChannel control;
    private final ServerSocket server;
    private final ClientOptions options;
    private final ScheduledExecutorService scheduler;
    private final Executor callbacks;
    private final ExecutorService handlerThread;
    private final Map<String, Accepted> accepted = new ConcurrentHashMap<>();
    private final PortMatcher<Socket, Opened> matcher;
    private final BlockingQueue<PeerConnection> ready;
    private final AtomicBoolean closed = new AtomicBoolean();
    private final CompletableFuture<Void> closedFuture = new CompletableFuture<>();

    private ListenerImpl(AppId app, IncomingHandler handler, FrameChannel control, ServerSocket server, ClientOptions options,
            ScheduledExecutorService scheduler, Executor callbacks) {
        this.app = app;
        this.handler = handler;
        this.control = control;
        this.server = server;
        this.options = options;
        this.matcher = new PortMatcher<>(options.maxPending());
        this.ready = new LinkedBlockingQueue<>(options.maxPending());
        this.scheduler = scheduler;
        this.callbacks = callbacks;
        this.handlerThread = Executors.newSingleThreadExecutor(Threads.factory("gcs-listener-handler " + app));
    }

    /**
     * Binds a loopback server socket, opens the control connection, sends ListenIntent and waits for ListenResult.
     *
     * @throws GcsException (with a {@link org.gcs.client.HasStatus}) if the daemon answers a status other than OK
     */
    public static ListenerImpl open(DaemonEndpoint daemon, AppId app, IncomingHandler handler, ClientOptions options,
            ScheduledExecutorService scheduler, Executor callbacks) throws IOException {
        ServerSocket server = new ServerSocket(0, options.maxPending(), InetAddress.getLoopbackAddress());
        FrameChannel control = null;
        try {
            control = FrameChannel.open(daemon, options.connectTimeout());
            control.send(AppWire.AppFrame.newBuilder().setListenIntent(AppWire.ListenIntent.newBuilder()
                    .setRequestId(LISTEN_REQUEST_ID).setApp(app.name()).setPort(server.getLocalPort())).build());
            control.setReadTimeout(options.requestTimeout());
            AppWire.AppFrame frame;
            try {
                frame = control.receive();
            } catch (SocketTimeoutException e) {
                throw new org.gcs.client.GcsConnectException(Status.TIMEOUT,
                        "listen for app " + app + ": the daemon did not answer within " + options.requestTimeout().toMillis() + " ms");
            }
            checkListenResult(app, frame);
            control.setReadTimeout(null);
            ListenerImpl listener = new ListenerImpl(app, handler, control, server, options, scheduler, callbacks);
            listener.start();
            return listener;
        } catch (IOException | RuntimeException e) {
            FrameChannel.closeQuietly(control);
            FrameChannel.closeQuietly(server);
            throw e;
        }
    }

    private static void checkListenResult(AppId app, AppWire.AppFrame frame) {
        String what = "listen for app " + app;
        if (frame == null) {
            throw new ConnectionClosedException(what + ": the daemon closed the connection");
        }
        switch (frame.getBodyCase()) {
            case LISTEN_RESULT -> {
                AppWire.ListenResult r = frame.getListenResult();
                if (r.getRequestId() != LISTEN_REQUEST_ID) {
                    throw new ProtocolException(what + ": ListenResult for unknown request " + r.getRequestId());
                }
                Status status = Wire.status(r.getStatus());
                if (status != Status.OK) {
                    throw Failures.forStatus(status, what, r.getMessage(), false);
                }
            }
            case ERROR -> {
                AppWire.AppError e = frame.getError();
                String text = e.getCode() + (e.getMessage().isEmpty() ? "" : ": " + e.getMessage());
                if (e.getCode() == AppWire.AppErrorCode.APP_BAD_REQUEST) {
                    throw new GcsException(what + ": the daemon rejected the request: " + text);
                }
                throw new ProtocolException(what + ": the daemon reported " + text);
            }
            default -> throw new ProtocolException(what + ": expected ListenResult, got " + frame.getBodyCase());
        }
    }

    private void start() {
        Threads.start("gcs-listener-control " + app, this::controlLoop);
        Threads.start("gcs-listener-accept " + app + " :" + server.getLocalPort(), this::acceptLoop);
    }

    private void controlLoop() {
        GcsException reason = null;
        try {
            while (!closed.get()) {
                AppWire.AppFrame frame = control.receive();
                if (frame == null) {
                    reason = new ConnectionClosedException("the daemon closed the control connection of the listener for " + app);
                    break;
                }
                switch (frame.getBodyCase()) {
                    case INCOMING_REQUEST -> onRequest(frame.getIncomingRequest());
                    case CONNECTION_OPENED -> onOpened(frame.getConnectionOpened());
                    case INCOMING_WITHDRAWN -> onWithdrawn(frame.getIncomingWithdrawn());
                    case ERROR -> throw new ProtocolException("the daemon reported " + frame.getError().getCode() + ": "
                            + frame.getError().getMessage());
                    default -> throw new ProtocolException("unexpected " + frame.getBodyCase() + " on the control connection");
                }
            }
        } catch (ProtocolException e) {
            LOG.log(Level.WARNING, "closing the listener for {0}: {1}", app, e.getMessage());
            reason = e;
        } catch (IOException e) {
            if (!closed.get()) {
                reason = new ConnectionClosedException("lost the control connection of the listener for " + app + ": " + e, e);
            }
        } catch (RuntimeException e) {
            LOG.log(Level.ERROR, "bug in the listener for " + app, e);
            reason = new GcsException("listener control loop failed: " + e, e);
        }
        close(reason);
    }

    private void onRequest(AppWire.IncomingConnectionRequest r) {
        IncomingRequest request = new IncomingRequest(Wire.hex(r.getConnectionId()), Wire.user("caller_user", r.getCallerUser()),
                r.getCallerPetname(), Wire.device("caller_device", r.getCallerDevice()), Wire.app("caller_app", r.getCallerApp()),
                Wire.app("app", r.getApp()), Wire.type(r.getType()));
        if (r.getConnectionId().isEmpty()) {
            throw new ProtocolException("IncomingConnectionRequest without connection_id");
        }
        handlerThread.execute(() -> decide(request));
    }

    private void decide(IncomingRequest request) {
        IncomingDecision decision;
        try {
            decision = handler.decide(request);
            if (decision == null) {
                throw new IllegalStateException("the handler returned no decision");
            }
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "the handler of the listener for " + app + " failed on " + request + "; rejecting", e);
            decision = IncomingDecision.reject();
        }
        if (closed.get()) {
            return;
        }
        if (decision.accepted()) {
            if (accepted.size() >= options.maxPending()) {
                LOG.log(Level.WARNING, "rejecting {0}: {1} accepted requests already wait for their pipe", request, options.maxPending());
                decision = IncomingDecision.reject();
            } else {
                ScheduledFuture<?>[] expiry = new ScheduledFuture<?>[1];
                Accepted a = new Accepted(request, decision, expiry);
                accepted.put(request.connectionId(), a);
                expiry[0] = scheduler.schedule(() -> {
                    if (accepted.remove(request.connectionId(), a)) {
                        LOG.log(Level.INFO, "accepted request {0} never opened within {1} ms", request.connectionId(),
                                options.acceptedTimeout().toMillis());
                    }
                }, options.acceptedTimeout().toMillis(), TimeUnit.MILLISECONDS);
            }
        }
        try {
            control.send(AppWire.AppFrame.newBuilder().setIncomingDecision(AppWire.IncomingConnectionDecision.newBuilder()
                    .setConnectionId(Wire.unhex(request.connectionId())).setAccept(decision.accepted())).build());
        } catch (IOException e) {
            close(new ConnectionClosedException("lost the control connection of the listener for " + app + ": " + e, e));
        }
    }

    /** The caller gave up: a request accepted here gets no pipe; a decision still to come is ignored by the daemon. */
    private void onWithdrawn(AppWire.IncomingConnectionWithdrawn w) {
        String id = Wire.hex(w.getConnectionId());
        Accepted a = accepted.remove(id);
        if (a != null && a.expiry()[0] != null) {
            a.expiry()[0].cancel(false);
        }
        LOG.log(Level.INFO, "request {0} withdrawn by the caller: {1}", id, w.getReason());
    }

    private void onOpened(AppWire.ConnectionOpened o) {
        String id = Wire.hex(o.getConnectionId());
        int port = o.getLocalPort();
        if (port <= 0 || port > 0xFFFF) {
            throw new ProtocolException("ConnectionOpened for " + id + " with invalid local_port " + port);
        }
        org.gcs.api.transport.PathKind path = Wire.path(o.getPath());
        Accepted a = accepted.remove(id);
        if (a == null) {
            LOG.log(Level.WARNING, "ConnectionOpened for connection {0}, which was not accepted here (or expired); ignored", id);
            return;
        }
        if (a.expiry()[0] != null) {
            a.expiry()[0].cancel(false);
        }
        Opened opened = new Opened(a, path);
        PortMatcher.Result<Socket, Opened> result = matcher.offerOpened(port, opened);
        if (result instanceof PortMatcher.Paired<Socket, Opened> p) {
            deliver(p.socket(), p.opened());
        } else if (result instanceof PortMatcher.Rejected<Socket, Opened> r) {
            LOG.log(Level.WARNING, "dropping ConnectionOpened for {0}: {1}", id, r.reason());
        } else {
            scheduler.schedule(() -> {
                if (matcher.dropOpened(port, opened)) {
                    LOG.log(Level.WARNING, "the daemon reported connection {0} from port {1} but never connected within {2} ms",
                            id, port, options.pairingTimeout().toMillis());
                }
            }, options.pairingTimeout().toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    private void acceptLoop() {
        while (!closed.get()) {
            Socket socket;
            try {
                socket = server.accept();
            } catch (IOException e) {
                if (!closed.get()) {
                    close(new ConnectionClosedException("the server socket of the listener for " + app + " failed: " + e, e));
                }
                return;
            }
            int port = socket.getPort();
            try {
                socket.setTcpNoDelay(true);
            } catch (IOException e) {
                FrameChannel.closeQuietly(socket);
                continue;
            }
            PortMatcher.Result<Socket, Opened> result = matcher.offerSocket(port, socket);
            if (result instanceof PortMatcher.Paired<Socket, Opened> p) {
                deliver(p.socket(), p.opened());
            } else if (result instanceof PortMatcher.Rejected<Socket, Opened> r) {
                LOG.log(Level.WARNING, "closing the connection from port {0}: {1}", port, r.reason());
                FrameChannel.closeQuietly(socket);
            } else {
                scheduler.schedule(() -> {
                    if (matcher.dropSocket(port, socket)) {
                        LOG.log(Level.WARNING, "closing the connection from port {0}: no ConnectionOpened names it within {1} ms",
                                port, options.pairingTimeout().toMillis());
                        FrameChannel.closeQuietly(socket);
                    }
                }, options.pairingTimeout().toMillis(), TimeUnit.MILLISECONDS);
            }
            if (closed.get()) { // raced with close(): nothing will pair it any more
                matcher.drainSockets().forEach(FrameChannel::closeQuietly);
            }
        }
    }

    private void deliver(Socket socket, Opened opened) {
        IncomingRequest r = opened.accepted().request();
        PeerConnection pipe;
        try {
            TcpSocket local = new TcpSocket(socket);
            pipe = new PeerConnectionImpl(local, local.input(), r.connectionId(), true, r.callerUser(),
                    r.callerDevice(), r.callerApp(), r.app(), r.type(), opened.path());
        } catch (IOException e) {
            LOG.log(Level.WARNING, "pipe for {0} broke before delivery: {1}", r.connectionId(), e);
            FrameChannel.closeQuietly(socket);
            return;
        }
        if (closed.get()) {
            pipe.close();
            return;
        }
        java.util.Optional<Consumer<PeerConnection>> onOpen = opened.accepted().decision().onOpen();
        if (onOpen.isPresent()) {
            Consumer<PeerConnection> callback = onOpen.get();
            callbacks.execute(() -> {
                try {
                    callback.accept(pipe);
                } catch (RuntimeException e) {
                    LOG.log(Level.WARNING, "the open callback for " + pipe + " failed; closing it", e);
                    pipe.close();
                }
            });
        } else if (!ready.offer(pipe)) {
            LOG.log(Level.WARNING, "closing {0}: {1} opened pipes already wait for accept()", pipe, options.maxPending());
            pipe.close();
        } else if (closed.get() && ready.remove(pipe)) {
            pipe.close();
        }
    }

    @Override
    public AppId app() {
        return app;
    }

    @Override
    public int port() {
        return server.getLocalPort();
    }

    @Override
    public PeerConnection accept(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            long left = deadline - System.nanoTime();
            PeerConnection pipe = ready.poll(Math.max(0, Math.min(TimeUnit.NANOSECONDS.toMillis(left), ACCEPT_POLL_MS)),
                    TimeUnit.MILLISECONDS);
            if (pipe != null) {
                return pipe;
            }
            if (closed.get()) {
                throw new ConnectionClosedException("the listener for " + app + " is closed", closedCause());
            }
            if (deadline - System.nanoTime() <= 0) {
                return null;
            }
        }
    }

    private Throwable closedCause() {
        if (closedFuture.isCompletedExceptionally()) {
            try {
                closedFuture.join();
            } catch (java.util.concurrent.CompletionException e) {
                return e.getCause();
            }
        }
        return null;
    }

    @Override
    public CompletableFuture<Void> closed() {
        return closedFuture;
    }

    @Override
    public boolean isOpen() {
        return !closed.get();
    }

    @Override
    public void close() {
        close(null);
    }

    /** Closes everything; {@code reason} null means a normal close. */
    private void close(GcsException reason) {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        control.close();
        FrameChannel.closeQuietly(server);
        handlerThread.shutdownNow();
        matcher.drainSockets().forEach(FrameChannel::closeQuietly);
        for (Accepted a : accepted.values()) {
            if (a.expiry()[0] != null) {
                a.expiry()[0].cancel(false);
            }
        }
        accepted.clear();
        PeerConnection pipe;
        int bound = options.maxPending() * 2;
        while (bound-- > 0 && (pipe = ready.poll()) != null) {
            pipe.close();
        }
        if (reason == null) {
            closedFuture.complete(null);
        } else {
            closedFuture.completeExceptionally(reason);
        }
    }
}
