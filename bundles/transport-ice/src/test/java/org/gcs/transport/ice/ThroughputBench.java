package org.gcs.transport.ice;

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
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.gcs.api.transport.ChannelType;
import org.gcs.api.transport.P2PChannel;
import org.gcs.api.transport.PathKind;
import org.gcs.api.transport.PeerSession;
import org.gcs.api.transport.Role;
import org.gcs.api.transport.SessionOptions;
import org.gcs.transport.ice.quic.IcePath;
import org.gcs.transport.ice.quic.QuicEndpoint;
import org.gcs.transport.ice.tls.SessionCertificate;

/**
 * Benchmark, not a test: in one JVM, moves {@code MB} megabytes one way over (a) the ICE path (ice4j + QUIC, as the
 * transport builds it, 127.0.0.1 host candidates) and (b) the same QUIC endpoint over a plain 127.0.0.1 UDP socket pair,
 * {@code ROUNDS} rounds each, interleaved, and prints the medians and their ratio; also the connect time (session
 * creation to both channels open) of the ICE path.
 *
 * <pre>
 * ./mvnw -q -B install -pl bundles/transport-ice -DskipTests
 * ./mvnw -q -B -pl bundles/transport-ice dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile=target/cp.txt
 * java -cp bundles/transport-ice/target/test-classes:bundles/transport-ice/target/classes:$(cat bundles/transport-ice/target/cp.txt) \
 *      org.gcs.transport.ice.ThroughputBench [MB=64] [ROUNDS=5] [shim]
 * </pre>
 * With {@code shim}, both paths use the 127.0.0.1 {@code UdpShim} ({@code quic.direct=false}) instead of the direct
 * channel.
 */
public final class ThroughputBench {
    private ThroughputBench() {
    }

    public static void main(String[] args) throws Exception {
        int mb = args.length > 0 ? Integer.parseInt(args[0]) : 64;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        boolean direct = args.length <= 2 || !"shim".equals(args[2]); // "shim": both paths through quic.direct=false
        java.util.logging.Logger.getLogger("").setLevel(java.util.logging.Level.SEVERE);
        IceTransport ice = new IceTransport(TransportSettings.configOf(Map.of("host_addresses", new String[] {"127.0.0.1"},
                "quic_direct", direct)));
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());
        QuicEndpoint.Settings quic = TransportSettings.of(Map.of("quic_direct", direct)).quic();
        byte[] chunk = new byte[64 * 1024];
        new java.util.Random(1).nextBytes(chunk);
        List<Double> iceMbps = new ArrayList<>();
        List<Double> udpMbps = new ArrayList<>();
        List<Double> connectMs = new ArrayList<>();
        try {
            // warm-up (JIT, ice4j's one-time mapping-harvester initialisation) of both paths
            P2PChannel[] w = connectIce(ice, connectMs);
            move(w[0], w[1], chunk, 8);
            closeAll(w);
            connectMs.clear();
            P2PChannel[] wu = connectUdp(group, quic);
            move(wu[0], wu[1], chunk, 8);
            closeAll(wu);
            for (int r = 0; r < rounds; r++) {
                P2PChannel[] a = connectIce(ice, connectMs);
                iceMbps.add(move(a[0], a[1], chunk, mb));
                closeAll(a);
                P2PChannel[] b = connectUdp(group, quic);
                udpMbps.add(move(b[0], b[1], chunk, mb));
                closeAll(b);
                System.out.printf("round %d: ICE %.0f Mbit/s, plain UDP %.0f Mbit/s, connect %.0f ms%n", r + 1,
                        iceMbps.get(r), udpMbps.get(r), connectMs.get(r));
            }
        } finally {
            ice.deactivate();
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(3, TimeUnit.SECONDS);
        }
        double i = median(iceMbps);
        double u = median(udpMbps);
        System.out.printf("%d MB one way, %d rounds: median ICE path %.0f Mbit/s, plain UDP %.0f Mbit/s, ratio %.2f;"
                + " median connect (ICE, loopback, warm JVM) %.0f ms%n", mb, rounds, i, u, i / u, median(connectMs));
    }

    static P2PChannel[] connectIce(IceTransport t, List<Double> connectMs) throws Exception {
        long t0 = System.nanoTime();
        Duration timeout = Duration.ofSeconds(15);
        PeerSession[] callee = new PeerSession[1];
        List<byte[]> early = Collections.synchronizedList(new ArrayList<>());
        Consumer<byte[]> toCallee = s -> {
            synchronized (early) {
                if (callee[0] == null) {
                    early.add(s);
                    return;
                }
            }
            callee[0].remoteSignal(s);
        };
        PeerSession[] caller = new PeerSession[1];
        PeerSession c = t.newSession(new SessionOptions(Role.CONTROLLING, ChannelType.DATA, List.of(), timeout), toCallee);
        caller[0] = c;
        byte[] offer = c.localDescription().get(5, TimeUnit.SECONDS);
        PeerSession d = t.newSession(new SessionOptions(Role.CONTROLLED, ChannelType.DATA, List.of(), timeout),
                c::remoteSignal);
        d.remoteDescription(offer);
        synchronized (early) {
            callee[0] = d;
            early.forEach(d::remoteSignal);
        }
        c.remoteDescription(d.localDescription().get(5, TimeUnit.SECONDS));
        P2PChannel a = c.channel().get(15, TimeUnit.SECONDS);
        P2PChannel b = d.channel().get(15, TimeUnit.SECONDS);
        connectMs.add((System.nanoTime() - t0) / 1e6);
        return new P2PChannel[] {a, b};
    }

    /** The same QUIC endpoints as the transport's, over two plain 127.0.0.1 UDP sockets. */
    static P2PChannel[] connectUdp(EventLoopGroup group, QuicEndpoint.Settings settings) throws Exception {
        UdpPath pa = new UdpPath();
        UdpPath pb = new UdpPath();
        pa.peer = pb.address();
        pb.peer = pa.address();
        SessionCertificate ca = SessionCertificate.generate(Duration.ofHours(1));
        SessionCertificate cb = SessionCertificate.generate(Duration.ofHours(1));
        ClassLoader l = ThroughputBench.class.getClassLoader();
        QuicEndpoint server = QuicEndpoint.start(false, ChannelType.DATA, cb, ca.fingerprint(), settings, group, pb, "bs",
                l, pb::close);
        QuicEndpoint client = QuicEndpoint.start(true, ChannelType.DATA, ca, cb.fingerprint(), settings, group, pa, "bc",
                l, pa::close);
        client.connect();
        client.ready().get(5, TimeUnit.SECONDS);
        server.ready().get(5, TimeUnit.SECONDS);
        return new P2PChannel[] {client.channel(PathKind.HOST, new byte[32]), server.channel(PathKind.HOST, new byte[32])};
    }

    /** Writes {@code mb} MB from a to b; returns Mbit/s from the first write to the last byte read. */
    private static double move(P2PChannel a, P2PChannel b, byte[] chunk, int mb) throws Exception {
        long total = (long) mb << 20;
        OutputStream out = a.output();
        InputStream in = b.input();
        long t0 = System.nanoTime();
        CompletableFuture<Void> w = CompletableFuture.runAsync(() -> {
            try {
                for (long sent = 0; sent < total; sent += chunk.length) {
                    out.write(chunk);
                }
                out.flush();
            } catch (IOException e) {
                throw new RuntimeException(e);
            }
        });
        byte[] buf = new byte[64 * 1024];
        long got = 0;
        while (got < total) {
            int n = in.read(buf);
            if (n < 0) {
                throw new IOException("EOF after " + got);
            }
            got += n;
        }
        double sec = (System.nanoTime() - t0) / 1e9;
        w.get(10, TimeUnit.SECONDS);
        return total * 8 / sec / 1e6;
    }

    static void closeAll(P2PChannel[] ch) throws Exception {
        ch[0].close();
        ch[1].close();
        ch[1].closeFuture().get(5, TimeUnit.SECONDS);
    }

    static double median(List<Double> v) {
        List<Double> s = new ArrayList<>(v);
        Collections.sort(s);
        int n = s.size();
        return n % 2 == 1 ? s.get(n / 2) : (s.get(n / 2 - 1) + s.get(n / 2)) / 2;
    }

    private static final class UdpPath implements IcePath {
        final DatagramSocket socket;
        volatile InetSocketAddress peer;

        UdpPath() throws IOException {
            socket = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            socket.setReceiveBufferSize(4 << 20);
            socket.setSendBufferSize(4 << 20);
        }

        InetSocketAddress address() {
            return (InetSocketAddress) socket.getLocalSocketAddress();
        }

        @Override
        public void send(byte[] data, int offset, int length) throws IOException {
            socket.send(new DatagramPacket(data, offset, length, peer));
        }

        @Override
        public void receive(DatagramPacket packet) throws IOException {
            socket.receive(packet);
        }

        void close() {
            socket.close();
        }
    }
}
