package org.gcs.client;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.gcs.api.AppId;
import org.osgi.annotation.versioning.ProviderType;

/**
 * An application's standing intent to receive connections for one app id, made by {@link GcsClient#listen}. It owns a
 * control connection to the daemon and a server socket on {@code 127.0.0.1}; {@link #close()} withdraws the intent and
 * closes every pipe not yet handed out.
 */
@ProviderType
public interface Listener extends AutoCloseable {
    /** The app id listened for. */
    AppId app();

    /** The local port the daemon connects to for each accepted request. */
    int port();

    /**
     * The next opened pipe of a request accepted with {@link IncomingDecision#accept()}, waiting at most
     * {@code timeout}.
     *
     * @return the pipe, or {@code null} if none opened in time
     * @throws ConnectionClosedException if the listener is closed (by {@link #close()} or because the daemon went away)
     * @throws InterruptedException if interrupted while waiting
     */
    PeerConnection accept(Duration timeout) throws InterruptedException;

    /** Completes when the listener stops: normally after {@link #close()}, exceptionally if the daemon went away or misbehaved. */
    CompletableFuture<Void> closed();

    boolean isOpen();

    /** Withdraws the intent (closes the control connection), the server socket, and every pipe not yet handed out. */
    @Override
    void close();
}
