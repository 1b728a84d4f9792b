package org.gcs.client.internal;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import org.gcs.api.GcsException;
import org.gcs.api.ProtocolException;
import org.gcs.api.wire.AppWire;
import org.gcs.client.ConnectionClosedException;
import org.gcs.client.GcsConnectException;
import org.gcs.client.Status;

/**
 * Multiplexes requests over the client's main connection by {@code request_id}. One reader thread completes the
 * pending futures; a malformed or unexpected frame fails every pending future with {@link ProtocolException} and
 * closes the connection.
 */
public final class RequestMux implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(RequestMux.class.getName());

    /** A request waiting for its answer: the answer's body type and how to turn the answer into a result. */
    private record Pending<T>(String what, AppWire.AppFrame.BodyCase answer, Function<AppWire.AppFrame, T> decode,
            CompletableFuture<T> future) {
        void complete(AppWire.AppFrame frame) {
            T value;
            try {
                value = decode.apply(frame);
            } catch (ProtocolException e) {
                throw e; // the whole connection is broken
            } catch (RuntimeException e) {
                future.completeExceptionally(e);
                return;
            }
            future.complete(value);
        }
    }

    private final FrameChannel channel;
    private final ScheduledExecutorService scheduler;
    private final Map<Long, Pending<?>> pending = new ConcurrentHashMap<>();
    private final AtomicLong nextId = new AtomicLong();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final CompletableFuture<Void> closedFuture = new CompletableFuture<>();
    private volatile GcsException closeReason;

    public RequestMux(FrameChannel channel, ScheduledExecutorService scheduler) {
        this.channel = channel;
        this.scheduler = scheduler;
    }

    public void start() {
        Threads.start("gcs-client-reader " + channel.peer(), this::readLoop);
    }

    /**
     * Sends a request and returns the future of its decoded answer.
     *
     * @param build builds the frame for a given request id
     * @param answer the body type of the answer
     * @param decode turns the answer into the result; may throw a {@link GcsException} for a failure status (fails this
     *        request) or a {@link ProtocolException} (fails the connection)
     */
    public <T> CompletableFuture<T> request(String what, Function<Long, AppWire.AppFrame> build, AppWire.AppFrame.BodyCase answer,
            Function<AppWire.AppFrame, T> decode, Duration timeout) {
        CompletableFuture<T> future = new CompletableFuture<>();
        if (closed.get()) {
            future.completeExceptionally(closedException());
            return future;
        }
        long id = nextId.incrementAndGet();
        Pending<T> p = new Pending<>(what, answer, decode, future);
        pending.put(id, p);
        ScheduledFuture<?> timer = scheduler.schedule(() -> {
            if (pending.remove(id, p)) {
                future.completeExceptionally(new GcsConnectException(Status.TIMEOUT,
                        what + ": the daemon did not answer within " + timeout.toMillis() + " ms"));
            }
        }, timeout.toMillis(), TimeUnit.MILLISECONDS);
        future.whenComplete((v, e) -> {
            timer.cancel(false);
            pending.remove(id, p);
        });
        if (closed.get()) { // closed between the check and the put: fail it ourselves
            future.completeExceptionally(closedException());
            return future;
        }
        try {
            channel.send(build.apply(id));
        } catch (IOException e) {
            fail(new ConnectionClosedException("lost the connection to the daemon at " + channel.peer() + " while sending " + what, e), false);
        } catch (RuntimeException e) {
            future.completeExceptionally(e);
        }
        return future;
    }

    private void readLoop() {
        GcsException reason;
        try {
            while (true) {
                AppWire.AppFrame frame = channel.receive();
                if (frame == null) {
                    reason = new ConnectionClosedException("the daemon at " + channel.peer() + " closed the connection");
                    break;
                }
                dispatch(frame);
            }
        } catch (ProtocolException e) {
            LOG.log(Level.WARNING, "closing the connection to the daemon at {0}: {1}", channel.peer(), e.getMessage());
            reason = e;
        } catch (IOException e) {
            reason = closed.get() ? closedException()
                    : new ConnectionClosedException("lost the connection to the daemon at " + channel.peer() + ": " + e, e);
        } catch (RuntimeException e) {
            LOG.log(Level.ERROR, "bug in the client reader, closing the connection to " + channel.peer(), e);
            reason = new GcsException("client reader failed: " + e, e);
        }
        fail(reason, false);
    }

    private void dispatch(AppWire.AppFrame frame) {
        long id;
        switch (frame.getBodyCase()) {
            case AVAILABLE_DEVICES -> id = frame.getAvailableDevices().getRequestId();
            case FRIENDS -> id = frame.getFriends().getRequestId();
            case LISTEN_RESULT -> id = frame.getListenResult().getRequestId();
            case OUTGOING_RESULT -> id = frame.getOutgoingResult().getRequestId();
            case ERROR -> {
                handleError(frame.getError());
                return;
            }
            default -> throw new ProtocolException("unexpected " + frame.getBodyCase() + " on the request connection");
        }
        Pending<?> p = pending.remove(id);
        if (p == null) {
            LOG.log(Level.DEBUG, "dropping {0} for request {1}, which is no longer pending (timed out or cancelled)",
                    frame.getBodyCase(), id);
            return;
        }
        if (p.answer() != frame.getBodyCase()) {
            ProtocolException e = new ProtocolException("daemon answered " + p.what() + " (request " + id + ") with " + frame.getBodyCase());
            p.future().completeExceptionally(e);
            throw e;
        }
        try {
            p.complete(frame);
        } catch (ProtocolException e) {
            p.future().completeExceptionally(e);
            throw e;
        }
    }

    private void handleError(AppWire.AppError error) {
        String text = error.getCode() + (error.getMessage().isEmpty() ? "" : ": " + error.getMessage());
        Pending<?> p = error.getRequestId() == 0 ? null : pending.remove(error.getRequestId());
        if (p != null && error.getCode() == AppWire.AppErrorCode.APP_BAD_REQUEST) {
            p.future().completeExceptionally(new GcsException(p.what() + ": the daemon rejected the request: " + text));
            return;
        }
        ProtocolException e = new ProtocolException("the daemon reported " + text);
        if (p != null) {
            p.future().completeExceptionally(e);
        }
        throw e;
    }

    private void fail(GcsException reason, boolean byUs) {
        boolean first = closed.compareAndSet(false, true);
        if (first) {
            closeReason = reason;
        }
        channel.close();
        List<Pending<?>> all = new ArrayList<>(pending.values());
        pending.clear();
        for (Pending<?> p : all) {
            p.future().completeExceptionally(closeReason);
        }
        if (first) {
            if (byUs) {
                closedFuture.complete(null);
            } else {
                closedFuture.completeExceptionally(reason);
            }
        }
    }

    /** For requests made after the close: a {@link ConnectionClosedException} whose cause says why it closed. */
    private GcsException closedException() {
        GcsException r = closeReason;
        if (r == null || r instanceof ConnectionClosedException) {
            return r != null ? r : new ConnectionClosedException("client closed");
        }
        return new ConnectionClosedException("the connection to the daemon at " + channel.peer() + " is closed: " + r.getMessage(), r);
    }

    public boolean isOpen() {
        return !closed.get();
    }

    /** Completes normally after {@link #close()}, exceptionally when the connection failed on its own. */
    public CompletableFuture<Void> closed() {
        return closedFuture;
    }

    @Override
    public void close() {
        fail(new ConnectionClosedException("client closed"), true);
    }
}
