package org.gcs.daemon.app;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.gcs.api.AppId;
import org.gcs.api.DeviceId;
import org.gcs.api.UserId;
import org.gcs.api.transport.ChannelType;
import org.gcs.api.transport.P2PChannel;
import org.gcs.api.wire.AppWire;
import org.gcs.api.wire.NodeWire.Status;

/** What the application API needs from the daemon; {@link AppHandler} speaks the protocol, the backend does the work. */
public interface AppBackend {
    String userId();

    String deviceId();

    boolean nodeConnected();

    /** The online devices of {@code user}; never fails (problems are a status). */
    CompletableFuture<DevicesResult> devices(UserId user);

    /** The user's friends with their petnames. */
    List<AppWire.Friend> friends();

    /**
     * Registers {@code control} as the listener for {@code app} on {@code port}.
     *
     * @return null when registered, otherwise why not
     */
    String listen(AppId app, int port, AppControl control);

    /** Withdraws every intent of {@code control} (its connection closed). */
    void unlisten(AppControl control);

    /**
     * The application's answer to an incoming request it was asked about.
     *
     * @return false if {@code control} was never asked about this connection id (unknown, decided or expired)
     */
    boolean decide(byte[] connectionId, boolean accept, AppControl control);

    /** Starts an outgoing connection. */
    Outgoing connect(UserId user, DeviceId device, AppId app, AppId fromApp, ChannelType type);

    /** The online devices of a user, or why not. */
    record DevicesResult(Status status, List<String> devices, String message) {
    }

    /** How a connect attempt ended; {@code channel} is set only with {@code ACCEPTED}. */
    record ConnectOutcome(Status status, String message, P2PChannel channel) {
    }

    /** One outgoing connect attempt. */
    interface Outgoing {
        byte[] connectionId();

        /** Completes once with the outcome; never exceptionally. */
        CompletableFuture<ConnectOutcome> result();

        /** The application went away: abandon the attempt (and close a channel that arrives later). */
        void cancel();
    }
}
