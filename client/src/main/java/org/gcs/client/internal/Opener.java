package org.gcs.client.internal;

import java.io.IOException;
import java.net.SocketTimeoutException;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import org.gcs.api.AppId;
import org.gcs.api.DeviceId;
import org.gcs.api.GcsException;
import org.gcs.api.ProtocolException;
import org.gcs.api.UserId;
import org.gcs.api.transport.ChannelType;
import org.gcs.api.wire.AppWire;
import org.gcs.client.ClientOptions;
import org.gcs.client.ConnectionClosedException;
import org.gcs.client.GcsConnectException;
import org.gcs.client.PeerConnection;
import org.gcs.client.Status;

/**
 * Opens outgoing pipes: each on a new connection to the daemon (hello, ConnectApp, wait for the result); with ACCEPTED
 * the same connection becomes the pipe. Keeps the connections still waiting so that closing the client aborts them.
 */
public final class Opener {
    private static final long REQUEST_ID = 1;

    private final DaemonEndpoint daemon;
    private final ClientOptions options;
    private final Executor executor;
    private final Set<FrameChannel> inFlight = ConcurrentHashMap.newKeySet();
    private volatile boolean closed;

    public Opener(DaemonEndpoint daemon, ClientOptions options, Executor executor) {
        this.daemon = daemon;
        this.options = options;
        this.executor = executor;
    }

    public CompletableFuture<PeerConnection> open(UserId user, DeviceId device, AppId app, AppId fromApp, ChannelType type) {
        CompletableFuture<PeerConnection> future = new CompletableFuture<>();
        String what = "connect to " + user + "/" + device + " app " + app;
        executor.execute(() -> {
            try {
                PeerConnection pipe = connect(what, user, device, app, fromApp, type, future);
                if (!future.complete(pipe)) {
                    pipe.close(); // cancelled meanwhile
                }
            } catch (SocketTimeoutException e) {
                future.completeExceptionally(new GcsConnectException(Status.TIMEOUT,
                        what + ": the daemon did not answer within " + options.openTimeout().toMillis() + " ms"));
            } catch (IOException e) {
                future.completeExceptionally(closed ? new ConnectionClosedException("client closed")
                        : new ConnectionClosedException(what + ": connection to the daemon at " + daemon + " failed: " + e, e));
            } catch (RuntimeException e) {
                future.completeExceptionally(e);
            }
        });
        return future;
    }

    private PeerConnection connect(String what, UserId user, DeviceId device, AppId app, AppId fromApp, ChannelType type,
            CompletableFuture<PeerConnection> future) throws IOException {
        if (closed) {
            throw new ConnectionClosedException("client closed");
        }
        FrameChannel channel;
        try {
            channel = FrameChannel.open(daemon, options.connectTimeout());
        } catch (SocketTimeoutException e) {
            throw new GcsConnectException(Status.TIMEOUT, what + ": the daemon did not welcome the connection within "
                    + options.connectTimeout().toMillis() + " ms");
        }
        inFlight.add(channel);
        future.whenComplete((v, e) -> {
            if (e != null) {
                channel.close(); // failed or cancelled: abort the request
            }
        });
        boolean handedOver = false;
        try {
            if (closed) {
                throw new ConnectionClosedException("client closed");
            }
            channel.send(AppWire.AppFrame.newBuilder().setConnect(AppWire.ConnectApp.newBuilder().setRequestId(REQUEST_ID)
                    .setUserId(user.toString()).setDeviceId(device.name()).setApp(app.name()).setFromApp(fromApp.name())
                    .setType(Wire.wire(type))).build());
            channel.setReadTimeout(options.openTimeout());
            AppWire.AppFrame frame = channel.receive();
            if (frame == null) {
                throw new ConnectionClosedException(what + ": the daemon closed the connection without an answer");
            }
            switch (frame.getBodyCase()) {
                case OUTGOING_RESULT -> {
                }
                case ERROR -> {
                    AppWire.AppError e = frame.getError();
                    String text = e.getCode() + (e.getMessage().isEmpty() ? "" : ": " + e.getMessage());
                    if (e.getCode() == AppWire.AppErrorCode.APP_BAD_REQUEST) {
                        throw new GcsException(what + ": the daemon rejected the request: " + text);
                    }
                    throw new ProtocolException(what + ": the daemon reported " + text);
                }
                default -> throw new ProtocolException(what + ": expected OutgoingConnectionRequestResult, got " + frame.getBodyCase());
            }
            AppWire.OutgoingConnectionRequestResult r = frame.getOutgoingResult();
            if (r.getRequestId() != REQUEST_ID) {
                throw new ProtocolException(what + ": result for unknown request " + r.getRequestId());
            }
            Status status = Wire.status(r.getStatus());
            if (status != Status.ACCEPTED) {
                throw Failures.forStatus(status, what, r.getMessage(), true);
            }
            PeerConnection pipe = new PeerConnectionImpl(channel.socket(), channel.input(), Wire.hex(r.getConnectionId()), false,
                    user, device, app, fromApp, type, Wire.path(r.getPath()));
            channel.setReadTimeout(null);
            handedOver = true;
            return pipe;
        } finally {
            inFlight.remove(channel);
            if (!handedOver) {
                channel.close();
            }
        }
    }

    /** Aborts the requests still waiting for their result; pipes already open stay open. */
    public void close() {
        closed = true;
        for (FrameChannel c : inFlight) {
            c.close();
        }
    }
}
