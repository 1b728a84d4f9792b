package org.gcs.api.transport;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.concurrent.CompletableFuture;
import org.osgi.annotation.versioning.ProviderType;

/**
 * A secure channel to one peer on the path ICE selected. A {@link ChannelType#DATA} channel is a reliable ordered byte
 * stream ({@link #input()}, {@link #output()}); a {@link ChannelType#STREAM} channel carries unreliable datagrams
 * ({@link #sendDatagram}, {@link #receiveDatagram}).
 */
@ProviderType
public interface P2PChannel extends AutoCloseable {
    ChannelType type();

    /** The kind of path the channel runs on: the most indirect end of the selected candidate pair. */
    PathKind path();

    /**
     * Bytes both ends of this channel compute alike and nobody else can: derived from the secure handshake, so a proof
     * of identity signed over them cannot be replayed into another channel.
     */
    byte[] channelBinding();

    /** DATA only: bytes from the peer; {@code read} returns -1 once the peer closed its side. */
    InputStream input();

    /** DATA only: bytes to the peer; blocks while the peer's flow control window is full. */
    OutputStream output();

    /** The largest datagram {@link #sendDatagram} accepts. */
    int maxDatagramSize();

    /**
     * STREAM only: sends one datagram, which may be lost. While the connection cannot send (a full congestion window) it
     * blocks briefly (tens of milliseconds at most), then drops the datagram rather than queue without bound.
     */
    void sendDatagram(byte[] datagram) throws IOException;

    /** STREAM only: blocks for the next datagram; returns {@code null} once the channel is closed. */
    byte[] receiveDatagram() throws IOException, InterruptedException;

    /** Completes when the channel is closed, by either end or by failure. */
    CompletableFuture<Void> closeFuture();

    @Override
    void close();
}
