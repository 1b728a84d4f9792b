package org.gcs.daemon.pipe;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.channel.socket.DuplexChannel;
import io.netty.handler.codec.LengthFieldBasedFrameDecoder;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.gcs.api.transport.ChannelType;
import org.gcs.api.transport.P2PChannel;
import org.gcs.internal.concurrent.SerialExecutor;

/**
 * Joins a local TCP connection (a Netty {@link Channel}) to a {@link P2PChannel}.
 *
 * <p>{@code DATA}: bytes flow both ways unchanged. The blocking P2P streams are served on threads of a shared
 * executor, never on the event loop; while bytes from the local socket wait for the P2P output, the socket is not read
 * (auto-read off), and the P2P input is not read further while the local socket is not writable. End of input on one
 * side shuts down output on the other (local EOF closes the P2P output; P2P EOF shuts down the local output), so a
 * sender can mark the end of a file; the pipe closes once both directions ended or either side closed or failed.
 *
 * <p>{@code STREAM}: the local connection carries datagrams as a 2-byte big-endian length and that many bytes; each
 * becomes one P2P datagram and back. Datagrams are dropped, not queued, when a side is congested or one is larger than
 * {@link P2PChannel#maxDatagramSize()}. Either side ending closes both.
 *
 * <pre>{@code
 * // on local.eventLoop(), after removing any frame handlers:
 * Pipe.attach(local, p2pChannel, "c0ffee...", executor);
 * }</pre>
 */
public final class Pipe {
    private static final Logger LOG = System.getLogger(Pipe.class.getName());
    private static final int CHUNK = 16 * 1024;
    private static final int MAX_QUEUED_DATAGRAMS = 256;
    /**
     * STREAM: datagrams from the peer wait for the application up to this many bytes (about 256 of 1 KB) before they
     * are dropped; Netty's default of 64 KiB dropped one in ten of a 20-datagram burst when the application's reader
     * was descheduled for a few milliseconds on a busy machine.
     */
    static final WriteBufferWaterMark DATAGRAM_BUFFER = new WriteBufferWaterMark(128 * 1024, 256 * 1024);
    private static final long CLOSE_GRACE_MILLIS = 10_000;

    private final Channel local;
    private final P2PChannel p2p;
    private final String label;
    private final SerialExecutor toPeer;
    private final Executor threads;
    private final AtomicLong sent = new AtomicLong();
    private final AtomicLong received = new AtomicLong();
    private final AtomicLong dropped = new AtomicLong();
    private final AtomicInteger queued = new AtomicInteger();
    private final AtomicBoolean closed = new AtomicBoolean();
    private volatile boolean localEof;
    private volatile boolean peerEof;
    private volatile boolean peerClosed;

    private Pipe(Channel local, P2PChannel p2p, String label, Executor threads) {
        this.local = local;
        this.p2p = p2p;
        this.label = label;
        this.threads = threads;
        this.toPeer = new SerialExecutor(threads);
    }

    /**
     * Starts piping. Must run on {@code local}'s event loop; handlers added at the end of its pipeline receive the raw
     * bytes, so remove frame codecs after this call if they hold unread bytes.
     *
     * @param label names the pipe in logs (the connection id)
     */
    public static Pipe attach(Channel local, P2PChannel p2p, String label, Executor threads) {
        Pipe pipe = new Pipe(local, p2p, label, threads);
        local.config().setOption(ChannelOption.ALLOW_HALF_CLOSURE, p2p.type() == ChannelType.DATA);
        if (p2p.type() == ChannelType.STREAM) {
            local.config().setWriteBufferWaterMark(DATAGRAM_BUFFER);
            local.pipeline().addLast("gcs-datagram-decoder", new LengthFieldBasedFrameDecoder(0xFFFF + 2, 0, 2, 0, 2));
        }
        local.pipeline().addLast("gcs-pipe", pipe.new LocalSide());
        p2p.closeFuture().whenComplete((v, e) -> pipe.peerClosed());
        threads.execute(p2p.type() == ChannelType.DATA ? pipe::peerToLocalBytes : pipe::peerToLocalDatagrams);
        if (!local.isActive()) {
            pipe.close("local connection already closed");
        } else {
            local.config().setAutoRead(true);
            local.read();
        }
        return pipe;
    }

    public long bytesSent() {
        return sent.get();
    }

    public long bytesReceived() {
        return received.get();
    }

    public boolean isClosed() {
        return closed.get();
    }

    /** Closes both sides; the first call logs the byte counts. */
    public void close(String reason) {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        try {
            p2p.close();
        } catch (RuntimeException e) {
            LOG.log(Level.DEBUG, "pipe " + label + ": closing the P2P channel failed: " + e);
        }
        local.close();
        LOG.log(Level.INFO, "pipe " + label + " closed (" + reason + "): sent " + sent.get() + " bytes, received "
                + received.get() + " bytes" + (dropped.get() > 0 ? ", dropped " + dropped.get() + " datagrams" : ""));
    }

    private void peerClosed() {
        peerClosed = true;
        if (closed.get()) {
            return;
        }
        if (peerEof) {
            close("peer closed");
        } else {
            // the reader thread sees the end and closes; bound the wait in case it does not.
            local.eventLoop().schedule(() -> close("peer closed"), CLOSE_GRACE_MILLIS, TimeUnit.MILLISECONDS);
        }
    }

    private void maybeFinish() {
        if (peerEof && (localEof || peerClosed)) {
            close("both directions ended");
        }
    }

    private void peerToLocalBytes() {
        Thread.currentThread().setName("gcs-pipe-in-" + label);
        byte[] buf = new byte[CHUNK];
        InputStream in = p2p.input();
        try {
            while (!closed.get()) {
                int n = in.read(buf);
                if (n < 0) {
                    break;
                }
                if (n == 0) {
                    continue;
                }
                received.addAndGet(n);
                ChannelFuture f = local.writeAndFlush(Unpooled.copiedBuffer(buf, 0, n));
                if (!local.isWritable()) {
                    f.awaitUninterruptibly();
                }
                if (f.isDone() && !f.isSuccess()) {
                    close("local write failed: " + f.cause());
                    return;
                }
            }
        } catch (IOException | RuntimeException e) {
            close(closed.get() ? "closed" : "P2P read failed: " + e.getMessage());
            return;
        }
        if (closed.get()) {
            return;
        }
        peerEof = true;
        if (local instanceof DuplexChannel duplex) {
            duplex.shutdownOutput().addListener(f -> maybeFinish());
        } else {
            maybeFinish();
        }
    }

    private void peerToLocalDatagrams() {
        Thread.currentThread().setName("gcs-pipe-in-" + label);
        try {
            while (!closed.get()) {
                byte[] d = p2p.receiveDatagram();
                if (d == null) {
                    break;
                }
                if (d.length > 0xFFFF || !local.isWritable()) {
                    dropped.incrementAndGet();
                    continue;
                }
                received.addAndGet(d.length);
                ByteBuf out = local.alloc().buffer(2 + d.length);
                out.writeShort(d.length).writeBytes(d);
                local.writeAndFlush(out);
            }
            close("peer closed");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            close("interrupted");
        } catch (IOException | RuntimeException e) {
            close(closed.get() ? "closed" : "P2P receive failed: " + e.getMessage());
        }
    }

    /** The local connection's end of the pipe, last in its pipeline. */
    private final class LocalSide extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ByteBuf buf = (ByteBuf) msg;
            byte[] bytes;
            try {
                bytes = ByteBufUtil.getBytes(buf);
            } finally {
                buf.release();
            }
            if (closed.get()) {
                return;
            }
            if (p2p.type() == ChannelType.STREAM) {
                if (bytes.length > p2p.maxDatagramSize() || queued.get() >= MAX_QUEUED_DATAGRAMS) {
                    dropped.incrementAndGet();
                    return;
                }
                queued.incrementAndGet();
                toPeer.execute(() -> {
                    try {
                        p2p.sendDatagram(bytes);
                        sent.addAndGet(bytes.length);
                    } catch (IOException | RuntimeException e) {
                        close("P2P send failed: " + e.getMessage());
                    } finally {
                        queued.decrementAndGet();
                    }
                });
                return;
            }
            queued.incrementAndGet();
            ctx.channel().config().setAutoRead(false);
            toPeer.execute(() -> {
                try {
                    if (!closed.get()) {
                        OutputStream out = p2p.output();
                        out.write(bytes);
                        out.flush();
                        sent.addAndGet(bytes.length);
                    }
                } catch (IOException | RuntimeException e) {
                    close("P2P write failed: " + e.getMessage());
                } finally {
                    if (queued.decrementAndGet() == 0 && !closed.get()) {
                        local.config().setAutoRead(true);
                    }
                }
            });
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            if (evt instanceof ChannelInputShutdownEvent) {
                if (p2p.type() == ChannelType.STREAM) {
                    close("local end closed");
                    return;
                }
                toPeer.execute(() -> {
                    try {
                        p2p.output().close();
                    } catch (IOException | RuntimeException e) {
                        close("closing the P2P output failed: " + e.getMessage());
                        return;
                    }
                    localEof = true;
                    maybeFinish();
                });
            } else {
                ctx.fireUserEventTriggered(evt);
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            close("local connection closed");
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            close("local connection failed: " + cause.getMessage());
        }
    }
}
