package org.gcs.client;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Duration;
import org.gcs.api.AppId;
import org.gcs.api.DeviceId;
import org.gcs.api.UserId;
import org.gcs.api.transport.ChannelType;
import org.gcs.api.transport.PathKind;
import org.osgi.annotation.versioning.ProviderType;

/**
 * A pipe to an application on a friend's device, relayed by the local daemon over a peer-to-peer channel. For
 * {@link ChannelType#DATA} the streams carry a reliable ordered byte stream. For {@link ChannelType#STREAM} each
 * datagram travels as a 2-byte big-endian length and its bytes: use {@link #sendDatagram} / {@link #receiveDatagram}
 * (or frame the streams yourself); datagrams may be lost on the P2P channel.
 */
@ProviderType
public interface PeerConnection extends AutoCloseable {
    /** Largest datagram {@link #sendDatagram} accepts (the 2-byte length prefix). */
    int MAX_DATAGRAM_BYTES = 0xFFFF;

    /** Hex form of the daemon's connection id. */
    String connectionId();

    /** True if a friend opened it to our {@link Listener}, false if we opened it with {@link GcsClient#open}. */
    boolean incoming();

    UserId remoteUser();

    DeviceId remoteDevice();

    AppId remoteApp();

    AppId localApp();

    ChannelType type();

    /** The kind of local candidate on the selected P2P path (direct or relayed). */
    PathKind path();

    InputStream input() throws IOException;

    OutputStream output() throws IOException;

    /** Half-close: the remote application reads end-of-stream once it has read everything sent. */
    void shutdownOutput() throws IOException;

    /** Limits how long a read on {@link #input()} or {@link #receiveDatagram()} blocks; zero waits forever. */
    void setReadTimeout(Duration timeout) throws IOException;

    /**
     * Sends one datagram ({@link ChannelType#STREAM} only). Thread-safe.
     *
     * @throws IllegalArgumentException if longer than {@link #MAX_DATAGRAM_BYTES}
     * @throws IllegalStateException on a {@link ChannelType#DATA} pipe
     */
    void sendDatagram(byte[] datagram) throws IOException;

    /**
     * Receives the next datagram ({@link ChannelType#STREAM} only).
     *
     * @return the datagram, or {@code null} at a clean end of stream
     * @throws java.io.EOFException if the stream ends inside a datagram
     */
    byte[] receiveDatagram() throws IOException;

    boolean isOpen();

    @Override
    void close();
}
