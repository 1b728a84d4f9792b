package org.gcs.client.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.time.Duration;

/** A {@link LocalSocket} over a connected TCP {@link Socket}. */
public final class TcpSocket implements LocalSocket {
    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;
    private final String peer;

    public TcpSocket(Socket socket) throws IOException {
        this.socket = socket;
        this.in = socket.getInputStream();
        this.out = socket.getOutputStream();
        this.peer = String.valueOf(socket.getRemoteSocketAddress());
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
    public void setReadTimeout(Duration timeout) throws IOException {
        socket.setSoTimeout(LocalSocket.millis(timeout));
    }

    @Override
    public void shutdownOutput() throws IOException {
        socket.shutdownOutput();
    }

    @Override
    public boolean isClosed() {
        return socket.isClosed();
    }

    @Override
    public String peer() {
        return peer;
    }

    @Override
    public void close() {
        FrameChannel.closeQuietly(socket);
    }
}
