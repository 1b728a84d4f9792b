package org.gcs.transport.ice;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.gcs.api.transport.ChannelType;
import org.gcs.transport.ice.quic.IcePath;
import org.gcs.transport.ice.quic.QuicEndpoint;
import org.gcs.transport.ice.tls.SessionCertificate;

/**
 * Benchmark, not a test: how long after its handshake has completed each QUIC end reports it ({@code ready()}), over
 * two plain 127.0.0.1 UDP sockets in one JVM. Every datagram is timed. The client's handshake is complete once it has
 * sent its flight in reply to the server's (the sends before its second receive); the server's once it has received
 * that flight (the receives before its second send). Prints the medians of {@code ready} minus those moments over the
 * last {@code ROUNDS} of {@code 2 * ROUNDS} handshakes, and the datagram timeline of the last one.
 *
 * <pre>
 * java -cp bundles/transport-ice/target/test-classes:bundles/transport-ice/target/classes:$(cat bundles/transport-ice/target/cp.txt) \
 *      org.gcs.transport.ice.HandshakeReportBench [ROUNDS=30]
 * </pre>
 */
public final class HandshakeReportBench {
    private HandshakeReportBench() {
    }

    private record Event(long nanos, boolean client, boolean send, int length) {
    }

    /** A UDP path that records every datagram it sends or receives. */
    private static final class TimedPath implements IcePath {
        final DatagramSocket socket;
        final boolean client;
        final List<Event> events;
        volatile InetSocketAddress peer;

        TimedPath(boolean client, List<Event> events) throws IOException {
            this.client = client;
            this.events = events;
            socket = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        }

        @Override
        public void send(byte[] data, int offset, int length) throws IOException {
            events.add(new Event(System.nanoTime(), client, true, length));
            socket.send(new DatagramPacket(data, offset, length, peer));
        }

        @Override
        public void receive(DatagramPacket packet) throws IOException {
            socket.receive(packet);
            events.add(new Event(System.nanoTime(), client, false, packet.getLength()));
        }
    }

    public static void main(String[] args) throws Exception {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 30;
        java.util.logging.Logger.getLogger("").setLevel(java.util.logging.Level.SEVERE);
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());
        QuicEndpoint.Settings quic = TransportSettings.of(Map.of()).quic();
        ClassLoader loader = HandshakeReportBench.class.getClassLoader();
        List<Double> clientLate = new ArrayList<>();
        List<Double> serverLate = new ArrayList<>();
        try {
            for (int r = 0; r < 2 * rounds; r++) {
                List<Event> events = Collections.synchronizedList(new ArrayList<>());
                TimedPath c = new TimedPath(true, events);
                TimedPath s = new TimedPath(false, events);
                c.peer = (InetSocketAddress) s.socket.getLocalSocketAddress();
                s.peer = (InetSocketAddress) c.socket.getLocalSocketAddress();
                SessionCertificate cc = SessionCertificate.generate(Duration.ofHours(1));
                SessionCertificate sc = SessionCertificate.generate(Duration.ofHours(1));
                QuicEndpoint server = QuicEndpoint.start(false, ChannelType.DATA, sc, cc.fingerprint(), quic, group, s,
                        "s", loader, s.socket::close);
                QuicEndpoint client = QuicEndpoint.start(true, ChannelType.DATA, cc, sc.fingerprint(), quic, group, c,
                        "c", loader, c.socket::close);
                long[] ready = new long[2];
                client.ready().thenRun(() -> ready[0] = System.nanoTime());
                server.ready().thenRun(() -> ready[1] = System.nanoTime());
                long t0 = System.nanoTime();
                client.connect();
                client.ready().get(5, TimeUnit.SECONDS);
                server.ready().get(5, TimeUnit.SECONDS);
                Thread.sleep(20);
                List<Event> e;
                synchronized (events) {
                    e = new ArrayList<>(events);
                }
                e.sort((a, b) -> Long.compare(a.nanos(), b.nanos()));
                long clientFlight = lastBefore(e, true, true, nth(e, true, false, 2));
                long serverGotFlight = lastBefore(e, false, false, nth(e, false, true, 2));
                if (r >= rounds) {
                    clientLate.add((ready[0] - clientFlight) / 1e6);
                    serverLate.add((ready[1] - serverGotFlight) / 1e6);
                }
                if (r == 2 * rounds - 1) {
                    for (Event x : e) {
                        System.out.printf("%8.3f ms  %s %s %d bytes%n", (x.nanos() - t0) / 1e6,
                                x.client() ? "client" : "server", x.send() ? "sends   " : "receives", x.length());
                    }
                    System.out.printf("%8.3f ms  client ready%n%8.3f ms  server ready%n", (ready[0] - t0) / 1e6,
                            (ready[1] - t0) / 1e6);
                }
                client.abort();
                server.abort();
            }
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(3, TimeUnit.SECONDS);
        }
        System.out.printf("%d handshakes: ready reported after the handshake completed: client median %.2f ms, "
                + "server median %.2f ms%n", rounds, ThroughputBench.median(clientLate), ThroughputBench.median(serverLate));
    }

    /** Time of the n-th (1-based) event of this side and direction; Long.MAX_VALUE if there is none. */
    private static long nth(List<Event> e, boolean client, boolean send, int n) {
        int seen = 0;
        for (Event x : e) {
            if (x.client() == client && x.send() == send && ++seen == n) {
                return x.nanos();
            }
        }
        return Long.MAX_VALUE;
    }

    /** Time of the last event of this side and direction before {@code limit}. */
    private static long lastBefore(List<Event> e, boolean client, boolean send, long limit) {
        long t = 0;
        for (Event x : e) {
            if (x.client() == client && x.send() == send && x.nanos() < limit) {
                t = x.nanos();
            }
        }
        return t;
    }
}
