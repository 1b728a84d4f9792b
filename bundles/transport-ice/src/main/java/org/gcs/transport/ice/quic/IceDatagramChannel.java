package org.gcs.transport.ice.quic;

import io.netty.buffer.ByteBuf;
import io.netty.channel.AbstractChannel;
import io.netty.channel.ChannelConfig;
import io.netty.channel.ChannelMetadata;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.channel.ChannelPromise;
import io.netty.channel.DefaultChannelConfig;
import io.netty.channel.EventLoop;
import io.netty.channel.socket.DatagramPacket;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnknownHostException;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A Netty datagram channel that sits directly on an {@link IcePath}: what the pipeline writes ({@link DatagramPacket}s,
 * recipient ignored) goes out with {@link IcePath#send} on the event loop; one receive thread blocks on
 * {@link IcePath#receive} and hands each datagram to the event loop, which fires it into the pipeline (batched: one
 * {@code channelReadComplete} per drained burst). The ICE path has exactly one peer, so the addresses the QUIC codec sees
 * are fixed synthetic ones: {@link #LOCAL} here and {@link #PEER} for the other end (the same on both ends).
 *
 * <p>It is not registered with the event loop's I/O handler (nothing to select on): {@link #isCompatible} accepts any
 * event loop, which serves as a plain executor. GSO is never used ({@code SegmentedDatagramPacket} is a
 * {@link DatagramPacket} too and would be sent as one datagram: the QUIC codec is built without a segmented allocator).
 */
final class IceDatagramChannel extends AbstractChannel {
    /** Local address reported to the QUIC codec (TEST-NET-1, never on the wire). */
    static final InetSocketAddress LOCAL = address(1, 4431);
    /** Address of the peer as the QUIC codec sees it (TEST-NET-1, never on the wire). */
    static final InetSocketAddress PEER = address(2, 4432);
    private static final ChannelMetadata METADATA = new ChannelMetadata(false, 16);
    private static final int MAX_PACKET = 2048;
    /** Datagrams waiting for the event loop; beyond, dropped (as a full socket buffer would). */
    private static final int MAX_QUEUED = 4096;

    private final IcePath path;
    private final String name;
    private final ClassLoader loader;
    private final ChannelConfig config = new DefaultChannelConfig(this);
    private final Queue<ByteBuf> inbound = new ConcurrentLinkedQueue<>();
    private final AtomicInteger queued = new AtomicInteger();
    private final AtomicBoolean drainScheduled = new AtomicBoolean();
    private final Runnable drain = this::drain;
    private volatile boolean open = true;
    private volatile boolean bound;
    private Thread rx; // event loop only
    private byte[] sendBuf = new byte[MAX_PACKET]; // event loop only

    IceDatagramChannel(IcePath path, String name, ClassLoader loader) {
        super(null);
        this.path = path;
        this.name = name;
        this.loader = loader;
    }

    private static InetSocketAddress address(int host, int port) {
        try {
            return new InetSocketAddress(InetAddress.getByAddress(new byte[] {(byte) 192, 0, 2, (byte) host}), port);
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    @Override
    public ChannelConfig config() {
        return config;
    }

    @Override
    public boolean isOpen() {
        return open;
    }

    @Override
    public boolean isActive() {
        return open && bound;
    }

    @Override
    public ChannelMetadata metadata() {
        return METADATA;
    }

    @Override
    protected AbstractUnsafe newUnsafe() {
        return new AbstractUnsafe() {
            @Override
            public void connect(SocketAddress remote, SocketAddress local, ChannelPromise promise) {
                promise.setFailure(new UnsupportedOperationException("connectionless"));
            }
        };
    }

    @Override
    protected boolean isCompatible(EventLoop loop) {
        return true;
    }

    @Override
    protected SocketAddress localAddress0() {
        return LOCAL;
    }

    @Override
    protected SocketAddress remoteAddress0() {
        return null;
    }

    @Override
    protected void doBind(SocketAddress localAddress) {
        if (rx != null) {
            return;
        }
        bound = true;
        rx = new Thread(this::receiveLoop, "gcs-ice-rx-" + name);
        rx.setDaemon(true);
        rx.setContextClassLoader(loader);
        rx.start();
    }

    @Override
    protected void doDisconnect() {
        // connectionless
    }

    @Override
    protected void doClose() {
        open = false;
        ByteBuf b;
        while ((b = inbound.poll()) != null) {
            queued.decrementAndGet();
            b.release();
        }
        // the receive thread ends when the ICE component closes (its owner's job), or at its next datagram
    }

    @Override
    protected void doBeginRead() {
        // the receive thread delivers continuously; the QUIC codec does not toggle auto-read
    }

    @Override
    protected Object filterOutboundMessage(Object msg) {
        if (msg instanceof DatagramPacket) {
            return msg;
        }
        throw new UnsupportedOperationException("unsupported message type: " + msg.getClass().getName());
    }

    @Override
    protected void doWrite(ChannelOutboundBuffer out) throws Exception {
        for (;;) {
            Object msg = out.current();
            if (msg == null) {
                return;
            }
            ByteBuf data = ((DatagramPacket) msg).content();
            int n = data.readableBytes();
            if (n == 0) {
                // The QUIC codec writes empty datagrams when a connection closes. They carry nothing, and ice4j's receive
                // buffer evicts the datagram queued before an empty one (SocketReceiveBuffer counts no bytes for it and
                // compares against a buffer size it has not read yet): the CONNECTION_CLOSE was lost that way.
                out.remove();
                continue;
            }
            try {
                if (data.hasArray()) {
                    path.send(data.array(), data.arrayOffset() + data.readerIndex(), n);
                } else {
                    if (sendBuf.length < n) {
                        sendBuf = new byte[n];
                    }
                    data.getBytes(data.readerIndex(), sendBuf, 0, n);
                    path.send(sendBuf, 0, n);
                }
            } catch (IOException | RuntimeException e) {
                // no selected pair yet, or ICE already closed: dropped, QUIC retransmits
            }
            out.remove();
        }
    }

    private void receiveLoop() {
        byte[] buf = new byte[MAX_PACKET];
        java.net.DatagramPacket in = new java.net.DatagramPacket(buf, buf.length);
        while (open) {
            try {
                in.setData(buf, 0, buf.length);
                path.receive(in);
            } catch (IOException | RuntimeException e) {
                return; // the component is closed: the session is over
            }
            if (!open) {
                return;
            }
            if (queued.get() >= MAX_QUEUED) {
                continue; // the event loop is behind: dropped, QUIC recovers
            }
            ByteBuf b = config.getAllocator().directBuffer(in.getLength());
            b.writeBytes(buf, in.getOffset(), in.getLength());
            queued.incrementAndGet();
            inbound.add(b);
            if (drainScheduled.compareAndSet(false, true)) {
                try {
                    eventLoop().execute(drain);
                } catch (java.util.concurrent.RejectedExecutionException e) {
                    drainScheduled.set(false);
                    return; // event loop shut down
                }
            }
        }
    }

    /** Event loop: fires every queued datagram, then one read-complete (the QUIC codec flushes there). */
    private void drain() {
        drainScheduled.set(false);
        ByteBuf b = inbound.poll();
        if (b == null) {
            return;
        }
        if (!open) {
            do {
                queued.decrementAndGet();
                b.release();
            } while ((b = inbound.poll()) != null);
            return;
        }
        int n = 0;
        do {
            queued.decrementAndGet();
            pipeline().fireChannelRead(new DatagramPacket(b, LOCAL, PEER));
            n++;
        } while (n < 256 && (b = inbound.poll()) != null);
        pipeline().fireChannelReadComplete();
        if (!inbound.isEmpty() && drainScheduled.compareAndSet(false, true)) {
            eventLoop().execute(drain);
        }
    }

    @Override
    public String toString() {
        return "IceDatagramChannel(" + name + ")";
    }
}
