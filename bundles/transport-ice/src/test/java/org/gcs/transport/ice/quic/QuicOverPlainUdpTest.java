package org.gcs.transport.ice.quic;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.gcs.api.TransportException;
import org.gcs.api.transport.ChannelType;
import org.gcs.api.transport.P2PChannel;
import org.gcs.api.transport.PathKind;
import org.gcs.transport.ice.tls.SessionCertificate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The QUIC layer without ICE: two endpoints whose {@link IcePath} is a plain 127.0.0.1 UDP socket pair. Checks pinning
 * and the DATA stream in isolation, and gives the baseline throughput that the ICE path is compared with.
 */
class QuicOverPlainUdpTest {
    private static final QuicEndpoint.Settings SETTINGS = new QuicEndpoint.Settings(Duration.ofSeconds(10),
            16 << 20, 8 << 20, 256, Duration.ofSeconds(1), Duration.ofSeconds(3));
    private static EventLoopGroup group;

    @BeforeAll
    static void start() {
        group = new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());
    }

    @AfterAll
    static void stop() {
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(3, TimeUnit.SECONDS);
    }

    /** A UDP socket on 127.0.0.1 talking to one peer address. */
    private static final class UdpPath implements IcePath, AutoCloseable {
        final DatagramSocket socket;
        volatile InetSocketAddress peer;

        UdpPath() throws IOException {
            socket = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            socket.setReceiveBufferSize(4 << 20);
        }

        final java.util.concurrent.atomic.AtomicInteger emptySent = new java.util.concurrent.atomic.AtomicInteger();

        @Override
        public void send(byte[] data, int offset, int length) throws IOException {
            if (length == 0) {
                emptySent.incrementAndGet();
            }
            socket.send(new DatagramPacket(data, offset, length, peer));
        }

        @Override
        public void receive(DatagramPacket packet) throws IOException {
            socket.receive(packet);
        }

        @Override
        public void close() {
            socket.close();
        }
    }

    private static QuicEndpoint[] pair(ChannelType type, boolean tamper, UdpPath a, UdpPath b) throws IOException {
        return pair(type, tamper, a, b, SETTINGS);
    }

    private static QuicEndpoint[] pair(ChannelType type, boolean tamper, UdpPath a, UdpPath b,
                                       QuicEndpoint.Settings settings) throws IOException {
        a.peer = (InetSocketAddress) b.socket.getLocalSocketAddress();
        b.peer = (InetSocketAddress) a.socket.getLocalSocketAddress();
        SessionCertificate ca = SessionCertificate.generate(Duration.ofHours(1));
        SessionCertificate cb = SessionCertificate.generate(Duration.ofHours(1));
        byte[] fpb = cb.fingerprint();
        if (tamper) {
            fpb[31] ^= 1;
        }
        ClassLoader l = QuicOverPlainUdpTest.class.getClassLoader();
        QuicEndpoint server = QuicEndpoint.start(false, type, cb, ca.fingerprint(), settings, group, b, "s", l, b::close);
        QuicEndpoint client = QuicEndpoint.start(true, type, ca, fpb, settings, group, a, "c", l, a::close);
        client.connect();
        return new QuicEndpoint[] {client, server};
    }

    @Test
    @Timeout(30)
    void shimFallbackCarriesTheStream() throws Exception {
        QuicEndpoint.Settings shim = new QuicEndpoint.Settings(SETTINGS.idleTimeout(), SETTINGS.maxData(),
                SETTINGS.maxStreamData(), SETTINGS.datagramQueue(), SETTINGS.closeLinger(), SETTINGS.keepaliveInterval(),
                false);
        try (UdpPath a = new UdpPath(); UdpPath b = new UdpPath()) {
            QuicEndpoint[] ep = pair(ChannelType.DATA, false, a, b, shim);
            ep[0].ready().get(5, TimeUnit.SECONDS);
            ep[1].ready().get(5, TimeUnit.SECONDS);
            P2PChannel c = ep[0].channel(PathKind.HOST, new byte[32]);
            P2PChannel s = ep[1].channel(PathKind.HOST, new byte[32]);
            byte[] data = new byte[1 << 20];
            new Random(6).nextBytes(data);
            CompletableFuture<Void> w = CompletableFuture.runAsync(() -> {
                try (OutputStream out = c.output()) {
                    out.write(data);
                } catch (IOException e) {
                    throw new RuntimeException(e);
                }
            });
            assertArrayEquals(data, s.input().readAllBytes());
            w.get(5, TimeUnit.SECONDS);
            c.close();
            s.close();
            s.closeFuture().get(5, TimeUnit.SECONDS);
        }
    }

    /**
     * The server's channel is ready at handshake completion, usually before the client's stream (and its preamble) has
     * arrived: what the server writes, and the end of its output, wait for the stream and then reach the client.
     */
    @Test
    @Timeout(30)
    void serverWritesAndFinishesAsSoonAsItIsReady() throws Exception {
        for (int i = 0; i < 5; i++) {
            try (UdpPath a = new UdpPath(); UdpPath b = new UdpPath()) {
                QuicEndpoint[] ep = pair(ChannelType.DATA, false, a, b);
                CompletableFuture<Void> serverWrote = ep[1].ready().thenRunAsync(() -> { // off the event loop: writes block
                    P2PChannel s = ep[1].channel(PathKind.HOST, new byte[32]);
                    try {
                        s.output().write(7);
                        s.output().close();
                    } catch (IOException e) {
                        throw new RuntimeException(e);
                    }
                });
                ep[0].ready().get(5, TimeUnit.SECONDS);
                P2PChannel c = ep[0].channel(PathKind.HOST, new byte[32]);
                assertArrayEquals(new byte[] {7}, c.input().readAllBytes(), "round " + i);
                serverWrote.get(5, TimeUnit.SECONDS);
                c.close();
                ep[1].channel(PathKind.HOST, new byte[32]).close();
            }
        }
    }

    /**
     * The QUIC codec writes empty datagrams when a connection closes; on the ICE path an empty datagram made ice4j's
     * receive buffer drop the CONNECTION_CLOSE queued before it, and the peer of a closed STREAM channel noticed only at
     * its idle timeout. The channel must never hand an empty datagram to the path.
     */
    @Test
    @Timeout(30)
    void closeReachesThePeerAndNoEmptyDatagramIsSent() throws Exception {
        for (int i = 0; i < 3; i++) {
            try (UdpPath a = new UdpPath(); UdpPath b = new UdpPath()) {
                QuicEndpoint[] ep = pair(ChannelType.STREAM, false, a, b);
                ep[0].ready().get(5, TimeUnit.SECONDS);
                ep[1].ready().get(5, TimeUnit.SECONDS);
                P2PChannel c = ep[0].channel(PathKind.HOST, new byte[32]);
                P2PChannel s = ep[1].channel(PathKind.HOST, new byte[32]);
                c.close();
                s.closeFuture().get(5, TimeUnit.SECONDS); // far below the 10 s idle timeout
                s.close();
                assertEquals(0, a.emptySent.get(), "empty datagrams sent by the client");
                assertEquals(0, b.emptySent.get(), "empty datagrams sent by the server");
            }
        }
    }

    @Test
    @Timeout(30)
    void tenMegabytesOneWayOverPlainUdp() throws Exception {
        try (UdpPath a = new UdpPath(); UdpPath b = new UdpPath()) {
            QuicEndpoint[] ep = pair(ChannelType.DATA, false, a, b);
            ep[0].ready().get(5, TimeUnit.SECONDS);
            ep[1].ready().get(5, TimeUnit.SECONDS);
            P2PChannel c = ep[0].channel(PathKind.HOST, new byte[32]);
            P2PChannel s = ep[1].channel(PathKind.HOST, new byte[32]);
            byte[] data = new byte[10 << 20];
            new Random(5).nextBytes(data);
            OutputStream out = c.output();
            InputStream in = s.input();
            long t0 = System.nanoTime();
            CompletableFuture<Void> w = CompletableFuture.runAsync(() -> {
                try {
                    out.write(data);
                    out.close();
                } catch (IOException e) {
                    throw new RuntimeException(e);
                }
            });
            byte[] got = in.readAllBytes();
            double sec = (System.nanoTime() - t0) / 1e9;
            w.get(5, TimeUnit.SECONDS);
            assertArrayEquals(MessageDigest.getInstance("SHA-256").digest(data), MessageDigest.getInstance("SHA-256").digest(got));
            System.out.printf("[QUIC over plain UDP] 10 MB one way in %.2f s (%.0f Mbit/s)%n", sec, data.length * 8 / sec / 1e6);
            c.close();
            s.close();
            s.closeFuture().get(5, TimeUnit.SECONDS);
        }
    }

    @Test
    @Timeout(30)
    void pinnedFingerprintMismatchFailsBothEnds() throws Exception {
        try (UdpPath a = new UdpPath(); UdpPath b = new UdpPath()) {
            QuicEndpoint[] ep = pair(ChannelType.STREAM, true, a, b);
            ExecutionException e = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class,
                    () -> ep[0].ready().get(5, TimeUnit.SECONDS));
            assertInstanceOf(TransportException.class, e.getCause());
            assertEquals(true, e.getCause().getMessage().contains("fingerprint mismatch"), e.getCause().getMessage());
            ExecutionException e2 = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class,
                    () -> ep[1].ready().get(5, TimeUnit.SECONDS));
            assertInstanceOf(TransportException.class, e2.getCause());
            ep[0].closed().get(5, TimeUnit.SECONDS);
            ep[1].closed().get(5, TimeUnit.SECONDS);
        }
    }
}
