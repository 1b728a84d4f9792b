package org.gcs.routing.kademlia.link;

import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import java.lang.System.Logger.Level;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.gcs.api.GcsException;
import org.gcs.api.NodeId;
import org.gcs.api.ProtocolException;
import org.gcs.routing.kademlia.link.HelloCheck.PeerHello;
import org.gcs.routing.kademlia.link.wire.LinkWire.LinkFrame;
import org.gcs.routing.kademlia.link.wire.LinkWire.Message;
import org.gcs.routing.kademlia.link.wire.LinkWire.Request;
import org.gcs.routing.kademlia.link.wire.LinkWire.Response;
import org.gcs.routing.kademlia.link.wire.LinkWire.Status;

/**
 * One connection between two nodes (one Netty channel): the calls waiting for answers (by request id), the requests
 * being served, and how it ends. Handed out only behind a {@link PeerLink}. Public methods are thread-safe; the
 * {@code on...} methods run on the channel's event loop, called by {@link LinkHandler}. State the event loop alone
 * touches is marked so.
 */
final class ChannelLink implements Link {
    private static final System.Logger LOG = System.getLogger(ChannelLink.class.getName());
    private static final int MAX_REMOTE_MESSAGE_CHARS = 1024;

    private final Channel channel;
    private final boolean outbound;
    private final LinkContext context;
    private final LinkConfig config;
    private final AtomicLong requestIds = new AtomicLong();
    private final Map<Long, PendingCall> pending = new ConcurrentHashMap<>();
    private final AtomicInteger callsInFlight = new AtomicInteger();
    private final CompletableFuture<Link> opened = new CompletableFuture<>();
    private final CompletableFuture<Void> closed = new CompletableFuture<>();
    private volatile NodeId peer;
    private volatile InetSocketAddress peerListenAddress;
    private volatile LinkClosedException closeCause;
    private volatile boolean retired;
    private volatile boolean graceOver;
    private volatile boolean tlsDone;
    /** Event loop only. */
    private int requestsInService;

    private static final class PendingCall {
        final int method;
        final CompletableFuture<byte[]> future = new CompletableFuture<>();
        volatile ScheduledFuture<?> timer;

        PendingCall(int method) {
            this.method = method;
        }
    }

    /** A request handed to the handler; event loop only. */
    private static final class Served {
        final long id;
        ScheduledFuture<?> timer;
        boolean answered;

        Served(long id) {
            this.id = id;
        }
    }

    ChannelLink(Channel channel, boolean outbound, LinkContext context) {
        this.channel = channel;
        this.outbound = outbound;
        this.context = context;
        this.config = context.config();
    }

    // ---- Link ----

    @Override
    public NodeId peer() {
        return peer;
    }

    @Override
    public InetSocketAddress peerListenAddress() {
        return peerListenAddress;
    }

    @Override
    public InetSocketAddress remoteAddress() {
        return (InetSocketAddress) channel.remoteAddress();
    }

    @Override
    public boolean isOutbound() {
        return outbound;
    }

    @Override
    public boolean isOpen() {
        return opened.isDone() && !opened.isCompletedExceptionally() && closeCause == null && channel.isActive();
    }

    @Override
    public CompletableFuture<byte[]> call(int method, byte[] body) {
        return call(method, body, config.callTimeout());
    }

    @Override
    public CompletableFuture<byte[]> call(int method, byte[] body, Duration timeout) {
        Objects.requireNonNull(body, "body");
        Objects.requireNonNull(timeout, "timeout");
        if (timeout.isNegative() || timeout.isZero()) {
            return CompletableFuture.failedFuture(new IllegalArgumentException("call timeout must be positive: " + timeout));
        }
        LinkClosedException closedBy = closeCause;
        if (closedBy != null) {
            return CompletableFuture.failedFuture(closedError(method, closedBy));
        }
        if (!channel.isWritable()) {
            return CompletableFuture.failedFuture(unwritable("call"));
        }
        long id = requestIds.incrementAndGet();
        LinkFrame frame = LinkFrames.request(id, method, body);
        if (frame.getSerializedSize() > config.maxFrameBytes()) {
            return CompletableFuture.failedFuture(tooLarge("call of method " + method, frame));
        }
        if (callsInFlight.incrementAndGet() > config.maxCallsInFlight()) {
            callsInFlight.decrementAndGet();
            return CompletableFuture.failedFuture(new TooManyInFlightException("the link to " + describe() + " already has "
                    + config.maxCallsInFlight() + " calls waiting for answers"));
        }
        PendingCall call = new PendingCall(method);
        pending.put(id, call);
        call.future.whenComplete((answer, failure) -> forget(id));
        try {
            call.timer = channel.eventLoop().schedule(() -> fail(id, new CallTimeoutException("call of method " + method
                    + " to " + describe() + " got no answer within " + timeout)), timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException e) {
            fail(id, new LinkClosedException("the link endpoint is closed", e));
            return call.future;
        }
        channel.writeAndFlush(frame).addListener(written -> {
            if (!written.isSuccess()) {
                LinkClosedException cause = closeCause;
                fail(id, cause != null ? closedError(method, cause)
                        : new LinkClosedException("call of method " + method + " to " + describe()
                                + " could not be written: " + written.cause(), written.cause()));
            }
        });
        closedBy = closeCause;
        if (closedBy != null) {
            fail(id, closedError(method, closedBy));
        }
        return call.future;
    }

    @Override
    public void send(int method, byte[] body) {
        Objects.requireNonNull(body, "body");
        LinkClosedException closedBy = closeCause;
        if (closedBy != null) {
            throw new LinkClosedException("message " + method + " not sent: " + closedBy.getMessage(), closedBy);
        }
        if (!channel.isWritable()) {
            throw unwritable("message");
        }
        LinkFrame frame = LinkFrames.message(method, body);
        if (frame.getSerializedSize() > config.maxFrameBytes()) {
            throw tooLarge("message of method " + method, frame);
        }
        channel.writeAndFlush(frame).addListener(written -> {
            if (!written.isSuccess()) {
                LOG.log(Level.DEBUG, () -> "message to " + describe() + " lost: " + written.cause());
            }
        });
    }

    @Override
    public void close() {
        close("closed by this node");
    }

    @Override
    public CompletableFuture<Void> closeFuture() {
        return closed.copy();
    }

    @Override
    public String closeReason() {
        LinkClosedException cause = closeCause;
        return cause == null ? null : cause.getMessage();
    }

    @Override
    public String toString() {
        return "Link[" + (outbound ? "to " : "from ") + describe() + (isOpen() ? "" : ", closed") + "]";
    }

    // ---- used by the endpoint and the registry, from any thread ----

    /** Completes with the peer's {@link PeerLink} (on this connection or one preferred to it) once the hellos checked out. */
    CompletableFuture<Link> openedFuture() {
        return opened;
    }

    /** Closes the link telling the peer {@code reason}. */
    void close(String reason) {
        closeWith(new LinkClosedException(reason), true);
    }

    /**
     * Replaced by another connection to the same peer: close it once its grace period (the handshake timeout, by when
     * the peer has switched too) is over, no call waits on it and no request is being served.
     */
    void retire() {
        retired = true;
        runOnLoop(() -> {
            try {
                channel.eventLoop().schedule(() -> {
                    graceOver = true;
                    closeIfDrained();
                }, config.handshakeTimeout().toNanos(), TimeUnit.NANOSECONDS);
            } catch (RejectedExecutionException e) {
                close("the link endpoint is closed");
            }
        });
    }

    /** Closes with {@code cause} as the reason; tells the peer if {@code tellPeer} and TLS is up. Idempotent. */
    void closeWith(LinkClosedException cause, boolean tellPeer) {
        runOnLoop(() -> {
            if (closeCause != null) {
                return;
            }
            closeCause = cause;
            LOG.log(Level.INFO, () -> "closing link " + (outbound ? "to " : "from ") + describe() + ": "
                    + cause.getMessage());
            if (tellPeer && tlsDone && channel.isActive()) {
                channel.writeAndFlush(LinkFrames.goodbye(truncate(cause.getMessage())));
            }
            channel.close();
        });
    }

    // ---- event loop ----

    void onTlsDone() {
        tlsDone = true;
    }

    boolean closing() {
        return closeCause != null;
    }

    /** The peer's hello checked out: registers the link and completes {@link #openedFuture()}. */
    void onHello(PeerHello hello) {
        peer = hello.id();
        peerListenAddress = hello.listenAddress();
        opened.complete(context.registry().add(this));
    }

    void onFrame(LinkFrame frame) {
        switch (frame.getBodyCase()) {
            case REQUEST -> onRequest(frame.getRequest());
            case RESPONSE -> onResponse(frame.getResponse());
            case MESSAGE -> onMessage(frame.getMessage());
            case PING -> channel.writeAndFlush(LinkFrames.pong(frame.getPing().getNonce()));
            case PONG -> { }
            case GOODBYE -> closeWith(new LinkClosedException(describe() + " closed the link: "
                    + truncate(frame.getGoodbye().getReason())), false);
            case HELLO -> throw new ProtocolException("a second LinkHello");
            default -> throw new ProtocolException("unexpected frame " + frame.getBodyCase());
        }
    }

    /** The channel closed: fails every waiting call and completes {@link #closeFuture()}. */
    void onChannelClosed() {
        if (closeCause == null) {
            closeCause = new LinkClosedException("the connection " + (outbound ? "to " : "from ") + describe() + " closed");
            LOG.log(Level.INFO, () -> closeCause.getMessage());
        }
        LinkClosedException cause = closeCause;
        List<Long> ids = new ArrayList<>(pending.keySet());
        for (Long id : ids) {
            PendingCall call = pending.get(id);
            if (call != null) {
                fail(id, closedError(call.method, cause));
            }
        }
        opened.completeExceptionally(cause);
        context.registry().remove(this);
        closed.complete(null);
    }

    private void onRequest(Request request) {
        long id = request.getId();
        if (closing()) {
            return;
        }
        if (requestsInService >= config.maxRequestsInService()) {
            channel.writeAndFlush(LinkFrames.error(id, Status.BUSY, "busy: " + config.maxRequestsInService()
                    + " requests in service on this link"));
            return;
        }
        requestsInService++;
        Served served = new Served(id);
        CompletableFuture<byte[]> answer;
        try {
            answer = context.requests().handle(peer, peerListenAddress, request.getMethod(),
                    request.getBody().toByteArray());
            if (answer == null) {
                answer = CompletableFuture.failedFuture(new IllegalStateException("the request handler returned null"));
            }
        } catch (RuntimeException | Error e) {
            answer = CompletableFuture.failedFuture(e);
        }
        if (!answer.isDone()) {
            served.timer = channel.eventLoop().schedule(() -> finish(served, null, "the node did not answer within "
                    + config.handlerTimeout()), config.handlerTimeout().toNanos(), TimeUnit.NANOSECONDS);
        }
        int method = request.getMethod();
        answer.whenComplete((body, failure) -> {
            String error = failure == null ? null : remoteMessage(method, failure);
            runOnLoop(() -> finish(served, body, error));
        });
    }

    private void finish(Served served, byte[] body, String error) {
        if (served.answered) {
            return;
        }
        served.answered = true;
        if (served.timer != null) {
            served.timer.cancel(false);
        }
        requestsInService--;
        if (!closing()) {
            LinkFrame frame = error != null ? LinkFrames.error(served.id, Status.FAILED, truncate(error))
                    : LinkFrames.answer(served.id, body == null ? new byte[0] : body);
            if (frame.getSerializedSize() > config.maxFrameBytes()) {
                frame = LinkFrames.error(served.id, Status.FAILED, "the answer of " + frame.getSerializedSize()
                        + " bytes exceeds the frame limit " + config.maxFrameBytes());
            }
            channel.writeAndFlush(frame);
        }
        closeIfDrained();
    }

    private void onResponse(Response response) {
        Status status = response.getStatus();
        if (status != Status.OK && status != Status.BUSY && status != Status.FAILED) {
            throw new ProtocolException("response " + response.getId() + " has no valid status: " + status);
        }
        PendingCall call = pending.remove(response.getId());
        if (call == null) {
            return; // answered after its timeout, or cancelled
        }
        release(call);
        String message = truncate(response.getMessage());
        switch (status) {
            case OK -> call.future.complete(response.getBody().toByteArray());
            case BUSY -> call.future.completeExceptionally(new PeerBusyException(describe() + " is busy and refused call of"
                    + " method " + call.method + ": " + message, message));
            default -> call.future.completeExceptionally(new RemoteCallException(describe() + " failed call of method "
                    + call.method + ": " + message, message));
        }
        closeIfDrained();
    }

    private void onMessage(Message message) {
        if (closing()) {
            return;
        }
        try {
            context.messages().handle(peer, peerListenAddress, message.getMethod(), message.getBody().toByteArray());
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "the message handler failed on message " + message.getMethod() + " from "
                    + describe(), e);
        }
    }

    private void closeIfDrained() {
        if (retired && graceOver && closeCause == null && pending.isEmpty() && requestsInService == 0) {
            close("replaced by another link between the same nodes");
        }
    }

    // ---- helpers ----

    private void fail(long id, Throwable failure) {
        PendingCall call = pending.remove(id);
        if (call != null) {
            release(call);
            call.future.completeExceptionally(failure);
        }
    }

    /** The caller completed or cancelled the future itself: drop the call. */
    private void forget(long id) {
        PendingCall call = pending.remove(id);
        if (call != null) {
            release(call);
            if (retired) {
                runOnLoop(this::closeIfDrained);
            }
        }
    }

    private void release(PendingCall call) {
        callsInFlight.decrementAndGet();
        ScheduledFuture<?> timer = call.timer;
        if (timer != null) {
            timer.cancel(false);
        }
    }

    /** The message a failed handler sends to the caller; only {@link GcsException}s tell their own message. */
    private String remoteMessage(int method, Throwable failure) {
        Throwable cause = failure;
        while ((cause instanceof CompletionException || cause instanceof ExecutionException) && cause.getCause() != null) {
            cause = cause.getCause();
        }
        if (cause instanceof GcsException && cause.getMessage() != null) {
            return cause.getMessage();
        }
        LOG.log(Level.WARNING, "the request handler failed on method " + method + " from " + describe(), cause);
        return "internal error";
    }

    private LinkClosedException closedError(int method, LinkClosedException cause) {
        String message = "call of method " + method + " failed: " + cause.getMessage();
        return cause instanceof PeerIdentityException ? new PeerIdentityException(message, cause)
                : new LinkClosedException(message, cause);
    }

    private TooManyInFlightException unwritable(String what) {
        return new TooManyInFlightException(what + " refused: more than " + config.maxWriteBufferBytes()
                + " bytes wait to be written on the link to " + describe() + " (the peer does not read fast enough)");
    }

    private IllegalArgumentException tooLarge(String what, LinkFrame frame) {
        return new IllegalArgumentException(what + " is " + frame.getSerializedSize() + " bytes on the wire, above the"
                + " frame limit " + config.maxFrameBytes());
    }

    private void runOnLoop(Runnable task) {
        EventLoop loop = channel.eventLoop();
        if (loop.inEventLoop()) {
            task.run();
            return;
        }
        try {
            loop.execute(task);
        } catch (RejectedExecutionException e) {
            task.run(); // the event loop is gone, and with it every other thread touching this link
        }
    }

    /** "node 0123456789abcdef… at 127.0.0.1:7100", or the TCP address before the hello. */
    String describe() {
        NodeId id = peer;
        Object address = channel.remoteAddress();
        String at = address instanceof InetSocketAddress socket ? socket.getHostString() + ":" + socket.getPort()
                : String.valueOf(address);
        return id == null ? at : "node " + id.toString().substring(0, 16) + "… at " + at;
    }

    private static String truncate(String text) {
        return text.length() <= MAX_REMOTE_MESSAGE_CHARS ? text : text.substring(0, MAX_REMOTE_MESSAGE_CHARS) + "…";
    }
}
