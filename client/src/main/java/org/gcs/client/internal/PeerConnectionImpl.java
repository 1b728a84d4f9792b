package org.gcs.client.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Duration;
import org.gcs.api.AppId;
import org.gcs.api.DeviceId;
import org.gcs.api.UserId;
import org.gcs.api.transport.ChannelType;
import org.gcs.api.transport.PathKind;
import org.gcs.client.PeerConnection;

/** A pipe over one local connection to the daemon (TCP or Unix socket). */
public final class PeerConnectionImpl implements PeerConnection {
    private final LocalSocket socket;
    private final InputStream in;
    private final OutputStream out;
    private final String connectionId;
    private final boolean incoming;
    private final UserId remoteUser;
    private final DeviceId remoteDevice;
    private final AppId remoteApp;
    private final AppId localApp;
    private final ChannelType type;
    private final PathKind path;
    private final Object readLock = new Object();
    private final Object writeLock = new Object();

    /**
     * @param in the stream to read the pipe from: the socket's own, or the buffered stream frames were read from
     */
    public PeerConnectionImpl(LocalSocket socket, InputStream in, String connectionId, boolean incoming, UserId remoteUser,
            DeviceId remoteDevice, AppId remoteApp, AppId localApp, ChannelType type, PathKind path) {
        this.socket = socket;
        this.in = in;
        this.out = socket.output();
        this.connectionId = connectionId;
        this.incoming = incoming;
        this.remoteUser = remoteUser;
        this.remoteDevice = remoteDevice;
        this.remoteApp = remoteApp;
        this.localApp = localApp;
        this.type = type;
        this.path = path;
    }

    @Override
    public String connectionId() {
        return connectionId;
    }

    @Override
    public boolean incoming() {
        return incoming;
    }

    @Override
    public UserId remoteUser() {
        return remoteUser;
    }

    @Override
    public DeviceId remoteDevice() {
        return remoteDevice;
    }

    @Override
    public AppId remoteApp() {
        return remoteApp;
    }

    @Override
    public AppId localApp() {
        return localApp;
    }

    @Override
    public ChannelType type() {
        return type;
    }

    @Override
    public PathKind path() {
        return path;
    }

    @Override
    public InputStream input() {
        return in;
    }

    @Override
    public OutputStream output() {
        return out;
    }

    @Override
    public void shutdownOutput() throws IOException {
        socket.shutdownOutput();
    }

    @Override
    public void setReadTimeout(Duration timeout) throws IOException {
        socket.setReadTimeout(timeout);
    }

    @Override
    public void sendDatagram(byte[] datagram) throws IOException {
        requireStream();
        synchronized (writeLock) {
            DatagramCodec.write(out, datagram);
        }
    }

    @Override
    public byte[] receiveDatagram() throws IOException {
        requireStream();
        synchronized (readLock) {
            return DatagramCodec.read(in);
        }
    }

    private void requireStream() {
        if (type != ChannelType.STREAM) {
            throw new IllegalStateException("datagrams need a STREAM pipe; this one is " + type);
        }
    }

    @Override
    public boolean isOpen() {
        return !socket.isClosed();
    }

    @Override
    public void close() {
        socket.close();
    }

    @Override
    public String toString() {
        return (incoming ? "pipe from " : "pipe to ") + remoteUser + "/" + remoteDevice + " app " + remoteApp + " ("
                + type + ", " + path + ", connection " + connectionId + ")";
    }
}
