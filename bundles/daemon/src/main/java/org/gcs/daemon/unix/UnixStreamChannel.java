package org.gcs.daemon.unix;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelPromise;
import io.netty.channel.EventLoop;
import io.netty.channel.FileRegion;
import io.netty.channel.RecvByteBufAllocator;
import io.netty.channel.nio.AbstractNioByteChannel;
import io.netty.channel.socket.DuplexChannel;
import io.netty.channel.socket.SocketChannelConfig;
import java.io.IOException;
import java.net.SocketAddress;
import java.nio.channels.SocketChannel;

/**
 * A connection accepted on a Unix domain socket, as a Netty NIO channel that honours
 * {@link io.netty.channel.ChannelOption#ALLOW_HALF_CLOSURE}: when the application shuts down its output, the pipeline
 * gets a {@link io.netty.channel.socket.ChannelInputShutdownEvent} and can still write back.
 *
 * <p>Why not Netty's {@code NioDomainSocketChannel}: in 4.2.18 its config is no {@link SocketChannelConfig}, and
 * {@link AbstractNioByteChannel} honours half-closure only for those, so an application's half-close (the end of a
 * file sent over a DATA pipe) closed the whole connection and lost the answer coming back.
 */
public final class UnixStreamChannel extends AbstractNioByteChannel implements DuplexChannel {
    private final UnixStreamConfig config;
    private volatile boolean inputShutdown;
    private volatile boolean outputShutdown;

    /** Wraps a connection accepted by a server's {@code accept()}; register it with an NIO event loop next. */
    public UnixStreamChannel(Channel parent, SocketChannel accepted) {
        super(parent, accepted);
        this.config = new UnixStreamConfig(this, accepted);
    }

    @Override
    protected SocketChannel javaChannel() {
        return (SocketChannel) super.javaChannel();
    }

    @Override
    public SocketChannelConfig config() {
        return config;
    }

    @Override
    public boolean isActive() {
        SocketChannel ch = javaChannel();
        return ch.isOpen() && ch.isConnected();
    }

    @Override
    protected SocketAddress localAddress0() {
        try {
            return javaChannel().getLocalAddress();
        } catch (IOException e) {
            return null;
        }
    }

    @Override
    protected SocketAddress remoteAddress0() {
        try {
            return javaChannel().getRemoteAddress();
        } catch (IOException e) {
            return null;
        }
    }

    @Override
    protected void doBind(SocketAddress localAddress) {
        throw new UnsupportedOperationException("an accepted Unix socket connection cannot bind");
    }

    @Override
    protected boolean doConnect(SocketAddress remoteAddress, SocketAddress localAddress) {
        throw new UnsupportedOperationException("an accepted Unix socket connection cannot connect");
    }

    @Override
    protected void doFinishConnect() {
        throw new UnsupportedOperationException("an accepted Unix socket connection cannot connect");
    }

    @Override
    protected void doDisconnect() throws Exception {
        doClose();
    }

    @Override
    protected void doClose() throws Exception {
        try {
            super.doClose();
        } finally {
            javaChannel().close();
        }
    }

    @Override
    protected void doShutdownOutput() throws Exception {
        javaChannel().shutdownOutput();
        outputShutdown = true;
    }

    @Override
    protected int doReadBytes(ByteBuf buf) throws Exception {
        RecvByteBufAllocator.Handle handle = unsafe().recvBufAllocHandle();
        handle.attemptedBytesRead(buf.writableBytes());
        return buf.writeBytes(javaChannel(), handle.attemptedBytesRead());
    }

    @Override
    protected int doWriteBytes(ByteBuf buf) throws Exception {
        return buf.readBytes(javaChannel(), buf.readableBytes());
    }

    @Override
    protected long doWriteFileRegion(FileRegion region) throws Exception {
        return region.transferTo(javaChannel(), region.transferred());
    }

    @Override
    protected boolean isInputShutdown0() {
        return isInputShutdown();
    }

    @Override
    public boolean isInputShutdown() {
        return inputShutdown || !isActive();
    }

    @Override
    public boolean isOutputShutdown() {
        return outputShutdown || !isActive();
    }

    @Override
    public boolean isShutdown() {
        return isInputShutdown() && isOutputShutdown() || !isActive();
    }

    @Override
    public ChannelFuture shutdownInput() {
        return shutdownInput(newPromise());
    }

    @Override
    public ChannelFuture shutdownInput(ChannelPromise promise) {
        onEventLoop(() -> {
            try {
                javaChannel().shutdownInput();
                inputShutdown = true;
                promise.setSuccess();
            } catch (Throwable t) {
                promise.setFailure(t);
            }
        });
        return promise;
    }

    @Override
    public ChannelFuture shutdownOutput() {
        return shutdownOutput(newPromise());
    }

    @Override
    public ChannelFuture shutdownOutput(ChannelPromise promise) {
        // through the unsafe, which fails what is still queued and tells the pipeline
        onEventLoop(() -> ((AbstractUnsafe) unsafe()).shutdownOutput(promise));
        return promise;
    }

    @Override
    public ChannelFuture shutdown() {
        return shutdown(newPromise());
    }

    @Override
    public ChannelFuture shutdown(ChannelPromise promise) {
        shutdownOutput().addListener(out -> shutdownInput().addListener(in -> {
            Throwable cause = out.cause() != null ? out.cause() : in.cause();
            if (cause != null) {
                promise.setFailure(cause);
            } else {
                promise.setSuccess();
            }
        }));
        return promise;
    }

    private void onEventLoop(Runnable task) {
        EventLoop loop = eventLoop();
        if (loop.inEventLoop()) {
            task.run();
        } else {
            loop.execute(task);
        }
    }

    /** Auto-read was turned off: a read already requested must not go on. */
    void autoReadCleared() {
        clearReadPending();
    }
}
