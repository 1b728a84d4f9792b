package org.gcs.daemon.unix;

import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.ChannelOption;
import io.netty.channel.DefaultChannelConfig;
import io.netty.channel.MessageSizeEstimator;
import io.netty.channel.RecvByteBufAllocator;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.socket.SocketChannelConfig;
import java.io.IOException;
import java.net.SocketOption;
import java.net.StandardSocketOptions;
import java.nio.channels.SocketChannel;
import java.util.Map;

/**
 * The config of a {@link UnixStreamChannel}. It is a {@link SocketChannelConfig} only because Netty honours half-closure
 * for those alone; the TCP options (no delay, linger, keep-alive, traffic class, address reuse) mean nothing on a Unix
 * socket and are ignored. Buffer sizes and half-closure work.
 */
final class UnixStreamConfig extends DefaultChannelConfig implements SocketChannelConfig {
    private final UnixStreamChannel channel;
    private final SocketChannel javaChannel;
    private volatile boolean allowHalfClosure;

    UnixStreamConfig(UnixStreamChannel channel, SocketChannel javaChannel) {
        super(channel);
        this.channel = channel;
        this.javaChannel = javaChannel;
    }

    @Override
    public Map<ChannelOption<?>, Object> getOptions() {
        return getOptions(super.getOptions(), ChannelOption.ALLOW_HALF_CLOSURE, ChannelOption.SO_SNDBUF, ChannelOption.SO_RCVBUF);
    }

    @SuppressWarnings("unchecked")
    @Override
    public <T> T getOption(ChannelOption<T> option) {
        if (option == ChannelOption.ALLOW_HALF_CLOSURE) {
            return (T) Boolean.valueOf(isAllowHalfClosure());
        }
        if (option == ChannelOption.SO_SNDBUF) {
            return (T) Integer.valueOf(getSendBufferSize());
        }
        if (option == ChannelOption.SO_RCVBUF) {
            return (T) Integer.valueOf(getReceiveBufferSize());
        }
        return super.getOption(option);
    }

    @Override
    public <T> boolean setOption(ChannelOption<T> option, T value) {
        validate(option, value);
        if (option == ChannelOption.ALLOW_HALF_CLOSURE) {
            setAllowHalfClosure((Boolean) value);
        } else if (option == ChannelOption.SO_SNDBUF) {
            setSendBufferSize((Integer) value);
        } else if (option == ChannelOption.SO_RCVBUF) {
            setReceiveBufferSize((Integer) value);
        } else {
            return super.setOption(option, value);
        }
        return true;
    }

    @Override
    protected void autoReadCleared() {
        channel.autoReadCleared();
    }

    @Override
    public boolean isAllowHalfClosure() {
        return allowHalfClosure;
    }

    @Override
    public UnixStreamConfig setAllowHalfClosure(boolean allow) {
        this.allowHalfClosure = allow;
        return this;
    }

    @Override
    public int getSendBufferSize() {
        return get(StandardSocketOptions.SO_SNDBUF);
    }

    @Override
    public UnixStreamConfig setSendBufferSize(int size) {
        return set(StandardSocketOptions.SO_SNDBUF, size);
    }

    @Override
    public int getReceiveBufferSize() {
        return get(StandardSocketOptions.SO_RCVBUF);
    }

    @Override
    public UnixStreamConfig setReceiveBufferSize(int size) {
        return set(StandardSocketOptions.SO_RCVBUF, size);
    }

    private int get(SocketOption<Integer> option) {
        try {
            return javaChannel.getOption(option);
        } catch (IOException e) {
            return -1;
        }
    }

    private UnixStreamConfig set(SocketOption<Integer> option, int value) {
        try {
            javaChannel.setOption(option, value);
        } catch (IOException e) {
            throw new io.netty.channel.ChannelException(e);
        }
        return this;
    }

    // TCP options: meaningless on a Unix socket

    @Override
    public boolean isTcpNoDelay() {
        return false;
    }

    @Override
    public UnixStreamConfig setTcpNoDelay(boolean tcpNoDelay) {
        return this;
    }

    @Override
    public int getSoLinger() {
        return -1;
    }

    @Override
    public UnixStreamConfig setSoLinger(int soLinger) {
        return this;
    }

    @Override
    public boolean isKeepAlive() {
        return false;
    }

    @Override
    public UnixStreamConfig setKeepAlive(boolean keepAlive) {
        return this;
    }

    @Override
    public int getTrafficClass() {
        return 0;
    }

    @Override
    public UnixStreamConfig setTrafficClass(int trafficClass) {
        return this;
    }

    @Override
    public boolean isReuseAddress() {
        return false;
    }

    @Override
    public UnixStreamConfig setReuseAddress(boolean reuseAddress) {
        return this;
    }

    @Override
    public UnixStreamConfig setPerformancePreferences(int connectionTime, int latency, int bandwidth) {
        return this;
    }

    // the generic options, with the covariant return type SocketChannelConfig asks for

    @Override
    public UnixStreamConfig setConnectTimeoutMillis(int connectTimeoutMillis) {
        super.setConnectTimeoutMillis(connectTimeoutMillis);
        return this;
    }

    @Override
    @Deprecated
    public UnixStreamConfig setMaxMessagesPerRead(int maxMessagesPerRead) {
        super.setMaxMessagesPerRead(maxMessagesPerRead);
        return this;
    }

    @Override
    public UnixStreamConfig setWriteSpinCount(int writeSpinCount) {
        super.setWriteSpinCount(writeSpinCount);
        return this;
    }

    @Override
    public UnixStreamConfig setAllocator(ByteBufAllocator allocator) {
        super.setAllocator(allocator);
        return this;
    }

    @Override
    public UnixStreamConfig setRecvByteBufAllocator(RecvByteBufAllocator allocator) {
        super.setRecvByteBufAllocator(allocator);
        return this;
    }

    @Override
    public UnixStreamConfig setAutoRead(boolean autoRead) {
        super.setAutoRead(autoRead);
        return this;
    }

    @Override
    public UnixStreamConfig setAutoClose(boolean autoClose) {
        super.setAutoClose(autoClose);
        return this;
    }

    @Override
    public UnixStreamConfig setMessageSizeEstimator(MessageSizeEstimator estimator) {
        super.setMessageSizeEstimator(estimator);
        return this;
    }

    @Override
    public UnixStreamConfig setWriteBufferWaterMark(WriteBufferWaterMark writeBufferWaterMark) {
        super.setWriteBufferWaterMark(writeBufferWaterMark);
        return this;
    }
}
