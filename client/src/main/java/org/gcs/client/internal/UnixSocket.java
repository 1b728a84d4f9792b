package org.gcs.client.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * A {@link LocalSocket} over a Unix domain socket. {@code java.net.Socket} does not do Unix sockets, and a blocking
 * {@code SocketChannel}'s streams have no read timeout and (before Java 19) block writes while a read waits; so the
 * channel is non-blocking and each direction waits on a selector of its own.
 */
public final class UnixSocket implements LocalSocket {
    private final SocketChannel channel;
    private final Selector readable;
    private final Selector writable;
    private final String peer;
    private final Object readLock = new Object();
    private final Object writeLock = new Object();
    private final InputStream in = new In();
    private final OutputStream out = new Out();
    private volatile int readTimeoutMillis;
    private volatile boolean closed;

    private UnixSocket(SocketChannel channel, Selector readable, Selector writable, String peer) {
        this.channel = channel;
        this.readable = readable;
        this.writable = writable;
        this.peer = peer;
    }

    /**
     * Connects to {@code address} within {@code timeout}.
     *
     * @throws ConnectException naming the socket if nobody listens there or the file does not exist
     */
    public static UnixSocket connect(UnixDomainSocketAddress address, Duration timeout) throws IOException {
        String peer = "unix socket " + address.getPath();
        SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX);
        Selector readable = null;
        Selector writable = null;
        try {
            channel.configureBlocking(false);
            readable = Selector.open();
            writable = Selector.open();
            SelectionKey key = channel.register(writable, SelectionKey.OP_CONNECT);
            try {
                if (!channel.connect(address)) {
                    if (writable.select(LocalSocket.millis(timeout)) == 0) {
                        throw new SocketTimeoutException("connect to " + peer + " timed out");
                    }
                    channel.finishConnect();
                }
            } catch (SocketTimeoutException e) {
                throw e;
            } catch (IOException e) {
                throw new ConnectException("cannot reach the GCS daemon at " + peer + ": " + e.getMessage());
            }
            writable.selectedKeys().clear();
            key.interestOps(SelectionKey.OP_WRITE);
            channel.register(readable, SelectionKey.OP_READ);
            return new UnixSocket(channel, readable, writable, peer);
        } catch (IOException | RuntimeException e) {
            FrameChannel.closeQuietly(channel);
            FrameChannel.closeQuietly(readable);
            FrameChannel.closeQuietly(writable);
            throw e;
        }
    }

    /** Takes over a connected channel (a server's accepted one, in tests). */
    public static UnixSocket wrap(SocketChannel connected, String peer) throws IOException {
        Selector readable = Selector.open();
        Selector writable = Selector.open();
        try {
            connected.configureBlocking(false);
            connected.register(readable, SelectionKey.OP_READ);
            connected.register(writable, SelectionKey.OP_WRITE);
            return new UnixSocket(connected, readable, writable, peer);
        } catch (IOException | RuntimeException e) {
            FrameChannel.closeQuietly(connected);
            FrameChannel.closeQuietly(readable);
            FrameChannel.closeQuietly(writable);
            throw e;
        }
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
    public void setReadTimeout(Duration timeout) {
        readTimeoutMillis = LocalSocket.millis(timeout);
    }

    @Override
    public void shutdownOutput() throws IOException {
        channel.shutdownOutput();
    }

    @Override
    public boolean isClosed() {
        return closed;
    }

    @Override
    public String peer() {
        return peer;
    }

    @Override
    public void close() {
        closed = true;
        FrameChannel.closeQuietly(channel);
        // closing a selector wakes the thread waiting on it, which then finds the socket closed
        FrameChannel.closeQuietly(readable);
        FrameChannel.closeQuietly(writable);
    }

    private int read(ByteBuffer buffer) throws IOException {
        int timeout = readTimeoutMillis;
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeout);
        synchronized (readLock) {
            while (true) {
                requireOpen();
                int n = channel.read(buffer);
                if (n != 0) {
                    return n;
                }
                long wait = 0;
                if (timeout > 0) {
                    wait = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
                    if (wait <= 0) {
                        throw new SocketTimeoutException("Read timed out");
                    }
                }
                await(readable, wait);
            }
        }
    }

    private void write(ByteBuffer buffer) throws IOException {
        synchronized (writeLock) {
            while (buffer.hasRemaining()) {
                requireOpen();
                if (channel.write(buffer) == 0) {
                    await(writable, 0); // the daemon reads slower than we write: wait as a blocking socket would
                }
            }
        }
    }

    private void await(Selector selector, long millis) throws IOException {
        try {
            selector.select(millis);
            selector.selectedKeys().clear();
        } catch (ClosedSelectorException e) {
            requireOpen();
            throw e;
        }
    }

    private void requireOpen() throws SocketException {
        if (closed) {
            throw new SocketException("Socket closed");
        }
    }

    private final class In extends InputStream {
        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            int n = read(one, 0, 1);
            return n < 0 ? -1 : one[0] & 0xFF;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            java.util.Objects.checkFromIndexSize(off, len, b.length);
            if (len == 0) {
                return 0;
            }
            return UnixSocket.this.read(ByteBuffer.wrap(b, off, len));
        }

        @Override
        public void close() {
            UnixSocket.this.close();
        }
    }

    private final class Out extends OutputStream {
        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            java.util.Objects.checkFromIndexSize(off, len, b.length);
            UnixSocket.this.write(ByteBuffer.wrap(b, off, len));
        }

        @Override
        public void close() {
            UnixSocket.this.close();
        }
    }
}
