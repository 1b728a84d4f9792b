package org.gcs.api.transport;

import java.util.concurrent.CompletableFuture;
import org.osgi.annotation.versioning.ProviderType;

/** One attempt to connect to one peer; it yields at most one {@link P2PChannel}. */
@ProviderType
public interface PeerSession extends AutoCloseable {
    /**
     * This side's description (credentials, certificate fingerprint, the candidates known so far), to send to the peer.
     * Later candidates are trickled through {@code signalOut}.
     */
    CompletableFuture<byte[]> localDescription();

    /** The peer's description; throws {@link org.gcs.api.ProtocolException} if it does not parse. */
    void remoteDescription(byte[] description);

    /** A signal the peer's session emitted; throws {@link org.gcs.api.ProtocolException} if it does not parse. */
    void remoteSignal(byte[] signal);

    /**
     * Completes when the secure channel to the authenticated peer is up; fails with
     * {@link org.gcs.api.TransportException} when no path works within {@link SessionOptions#timeout()}. It may
     * complete on one of the transport's I/O threads: dependent stages must not block (use an {@code *Async} stage).
     */
    CompletableFuture<P2PChannel> channel();

    /** Abandons the attempt (failing {@link #channel()} if still pending) and frees its sockets; idempotent. */
    @Override
    void close();
}
