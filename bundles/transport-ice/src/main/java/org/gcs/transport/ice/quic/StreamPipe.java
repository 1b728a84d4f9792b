package org.gcs.transport.ice.quic;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.quic.DefaultQuicStreamFrame;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.channel.socket.ChannelInputShutdownReadComplete;
import io.netty.handler.codec.quic.QuicStreamChannel;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.util.ArrayDeque;

/**
 * Exposes one bidirectional QUIC stream as blocking streams with backpressure both ways.
 * <ul>
 * <li>Reading: the stream channel runs with auto-read off; Netty reads from quiche only while less than
 * {@link #READ_HIGH_WATER} bytes wait for the application, so an application that stops reading stops extending the
 * QUIC flow-control window and the sender blocks.</li>
 * <li>Writing: {@link OutputStream#write} blocks while {@link #MAX_IN_FLIGHT} bytes are handed to Netty but not yet
 * accepted by quiche (whose stream buffer is bounded by the peer's flow-control credit), so a writer whose peer does
 * not read blocks. The end of output is a FIN frame written behind the data (Netty's {@code shutdownOutput()} would
 * overtake data still queued).</li>
 * </ul>
 * The first byte of the stream is a preamble sent by the client ({@link #PREAMBLE}): QUIC streams exist for the peer
 * only once they carry data. The server creates its pipe when the handshake completes, before the stream arrives: until
 * it is attached, reads wait for data and writes wait for the stream, as they wait for flow control.
 */
final class StreamPipe extends ChannelDuplexHandler {
    static final int PREAMBLE = 0x47;
    static final int READ_HIGH_WATER = 1024 * 1024;
    static final int READ_LOW_WATER = 256 * 1024;
    /** Bytes handed to Netty but not yet accepted by quiche (Netty's QUIC streams have no outbound buffer). */
    static final int MAX_IN_FLIGHT = 1024 * 1024;
    private static final int CHUNK = 64 * 1024;
    private static final long WAIT_SLICE_MS = 200;

    private final Object lock = new Object();
    private final ArrayDeque<ByteBuf> queue = new ArrayDeque<>();
    private boolean awaitingPreamble;
    private int buffered;
    private boolean eof;
    private boolean closed;
    private boolean paused;
    private boolean outputClosed;
    /** The application ended its output before the stream was attached: FIN goes out at attachment. */
    private boolean finPending;
    private long inFlight;
    private Throwable failure;
    private volatile QuicStreamChannel channel;
    private final Input input = new Input();
    private final Output output = new Output();

    /**
     * @param expectPreamble whether the first byte must be {@link #PREAMBLE} (server side)
     */
    StreamPipe(boolean expectPreamble) {
        this.awaitingPreamble = expectPreamble;
    }

    InputStream input() {
        return input;
    }

    OutputStream output() {
        return output;
    }

    QuicStreamChannel channel() {
        return channel;
    }

    /** True once both directions have finished (the stream channel closed). */
    boolean isClosed() {
        synchronized (lock) {
            return closed;
        }
    }

    /** Waits up to {@code millis} for the stream to close (peer finished too); true if it did. */
    boolean awaitClosed(long millis) throws InterruptedException {
        long deadline = System.nanoTime() + millis * 1_000_000L;
        synchronized (lock) {
            while (!closed) {
                long left = (deadline - System.nanoTime()) / 1_000_000L;
                if (left <= 0) {
                    return false;
                }
                lock.wait(Math.min(left, WAIT_SLICE_MS));
            }
            return true;
        }
    }

    /** Marks the pipe dead (the connection went away): readers and writers wake up; data already received stays readable. */
    void abort(Throwable cause) {
        synchronized (lock) {
            if (failure == null && !closed && !eof) {
                failure = cause;
            }
            closed = true;
            lock.notifyAll();
        }
    }

    /** Local close: drops what the application did not read. */
    void discard() {
        synchronized (lock) {
            closed = true;
            releaseQueue();
            lock.notifyAll();
        }
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        QuicStreamChannel ch = (QuicStreamChannel) ctx.channel();
        ch.config().setAutoRead(false).setAllowHalfClosure(true);
        boolean fin;
        synchronized (lock) {
            channel = ch;
            fin = finPending;
            lock.notifyAll(); // writers waiting for the stream
        }
        if (fin) {
            ch.writeAndFlush(new DefaultQuicStreamFrame(Unpooled.EMPTY_BUFFER, true));
        }
        if (ch.isActive()) {
            started(ctx);
        }
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        started(ctx);
        ctx.fireChannelActive();
    }

    private void started(ChannelHandlerContext ctx) {
        ctx.read();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof ByteBuf buf)) {
            io.netty.util.ReferenceCountUtil.release(msg);
            return;
        }
        if (awaitingPreamble) {
            if (!buf.isReadable()) {
                buf.release();
                return;
            }
            int first = buf.readUnsignedByte();
            if (first != PREAMBLE) {
                buf.release();
                abort(new IOException("bad stream preamble " + first));
                ctx.channel().parent().close();
                return;
            }
            awaitingPreamble = false;
        }
        if (!buf.isReadable()) {
            buf.release();
            return;
        }
        synchronized (lock) {
            if (closed) {
                buf.release();
                return;
            }
            queue.add(buf);
            buffered += buf.readableBytes();
            lock.notifyAll();
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        boolean more;
        synchronized (lock) {
            more = buffered < READ_HIGH_WATER && !eof && !closed;
            paused = !more;
        }
        if (more) {
            ctx.read();
        }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof ChannelInputShutdownEvent || evt instanceof ChannelInputShutdownReadComplete) {
            synchronized (lock) {
                eof = true;
                lock.notifyAll();
            }
        }
        ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        synchronized (lock) {
            lock.notifyAll();
        }
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        synchronized (lock) {
            closed = true;
            if (!eof && failure == null) {
                failure = new IOException("stream closed before the peer finished it");
            }
            lock.notifyAll();
        }
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        abort(cause);
        ctx.close();
    }

    private void releaseQueue() {
        ByteBuf b;
        while ((b = queue.poll()) != null) {
            b.release();
        }
        buffered = 0;
    }

    private final class Input extends InputStream {
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
            int n;
            boolean resume = false;
            synchronized (lock) {
                while (queue.isEmpty()) {
                    if (eof) {
                        return -1;
                    }
                    if (closed) {
                        if (failure != null) {
                            throw new IOException("channel closed: " + failure.getMessage(), failure);
                        }
                        return -1;
                    }
                    try {
                        lock.wait(WAIT_SLICE_MS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new InterruptedIOException("interrupted while reading");
                    }
                }
                ByteBuf head = queue.peek();
                n = Math.min(len, head.readableBytes());
                head.readBytes(b, off, n);
                if (!head.isReadable()) {
                    queue.poll().release();
                }
                buffered -= n;
                if (paused && buffered < READ_LOW_WATER) {
                    paused = false;
                    resume = true;
                }
            }
            if (resume) {
                QuicStreamChannel ch = channel;
                ch.eventLoop().execute(ch::read);
            }
            return n;
        }

        @Override
        public int available() {
            synchronized (lock) {
                return buffered;
            }
        }

        @Override
        public void close() {
            // Reading side: nothing to tell the peer; the channel's close() ends the stream.
        }
    }

    private final class Output extends OutputStream {
        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            java.util.Objects.checkFromIndexSize(off, len, b.length);
            while (len > 0) {
                int n = Math.min(len, CHUNK);
                QuicStreamChannel ch = reserve(n);
                ByteBuf buf = ch.alloc().directBuffer(n).writeBytes(b, off, n);
                ch.writeAndFlush(buf).addListener(f -> {
                    synchronized (lock) {
                        inFlight -= n;
                        lock.notifyAll();
                    }
                    if (!f.isSuccess()) {
                        abort(f.cause());
                    }
                });
                off += n;
                len -= n;
            }
        }

        /** Blocks until the stream is attached and {@code n} more bytes may be in flight; bounded by close and failure. */
        private QuicStreamChannel reserve(int n) throws IOException {
            synchronized (lock) {
                while (true) {
                    if (outputClosed) {
                        throw new IOException("output closed");
                    }
                    if (closed || failure != null) {
                        throw new IOException("channel closed" + (failure == null ? "" : ": " + failure.getMessage()),
                                failure);
                    }
                    if (channel != null && (inFlight + n <= MAX_IN_FLIGHT || inFlight == 0)) {
                        inFlight += n;
                        return channel;
                    }
                    try {
                        lock.wait(WAIT_SLICE_MS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new InterruptedIOException("interrupted while writing");
                    }
                }
            }
        }

        @Override
        public void flush() {
            // every chunk is flushed as it is written
        }

        @Override
        public void close() {
            QuicStreamChannel ch;
            synchronized (lock) {
                if (outputClosed || closed) {
                    outputClosed = true;
                    return;
                }
                outputClosed = true;
                ch = channel;
                if (ch == null) {
                    finPending = true; // sent when the stream is attached
                    return;
                }
            }
            // graceful end: a FIN frame queued behind the data still in flight
            ch.writeAndFlush(new DefaultQuicStreamFrame(Unpooled.EMPTY_BUFFER, true));
        }
    }

    /** Sends FIN if the application did not. */
    void finishOutput() {
        output.close();
    }
}
