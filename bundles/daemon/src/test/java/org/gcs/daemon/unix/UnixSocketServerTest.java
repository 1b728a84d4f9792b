package org.gcs.daemon.unix;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import java.io.InputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Half-closure on a Unix socket: the regression Netty 4.2.18's own domain channel has (it closes on the client's EOF). */
@Timeout(20)
class UnixSocketServerTest {
    @TempDir
    Path dir;

    /** Counts what arrives; at the client's end of stream answers with the count, then closes. */
    private static final class CountThenAnswer extends ChannelInboundHandlerAdapter {
        private long bytes;

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ByteBuf b = (ByteBuf) msg;
            bytes += b.readableBytes();
            b.release();
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            if (evt instanceof ChannelInputShutdownEvent) {
                ctx.writeAndFlush(Unpooled.copiedBuffer("got " + bytes, StandardCharsets.US_ASCII))
                        .addListener(f -> ctx.close());
            }
        }
    }

    @Test
    void theServerStillAnswersAfterTheClientShutsDownItsOutput() throws Exception {
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        Path socket = dir.resolve("s.sock");
        UnixSocketServer server = UnixSocketServer.bind(socket, group, new ChannelInitializer<Channel>() {
            @Override
            protected void initChannel(Channel ch) {
                ch.config().setOption(ChannelOption.ALLOW_HALF_CLOSURE, true);
                ch.pipeline().addLast(new CountThenAnswer());
            }
        });
        try (SocketChannel client = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            client.connect(UnixDomainSocketAddress.of(socket));
            ByteBuffer data = ByteBuffer.allocate(100_000);
            while (data.hasRemaining()) {
                client.write(data);
            }
            client.shutdownOutput();
            InputStream in = Channels.newInputStream(client);
            assertEquals("got 100000", new String(in.readAllBytes(), StandardCharsets.US_ASCII));
        } finally {
            server.close();
            group.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS).sync();
        }
        assertFalse(Files.exists(socket), "closing the server removes the socket file");
    }
}
