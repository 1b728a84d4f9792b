package org.gcs.transport.ice;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.gcs.api.transport.P2PChannel;
import org.gcs.transport.ice.quic.QuicEndpoint;

/**
 * Benchmark, not a test: in one JVM, the round trip of one byte over an open channel (a) on the ICE path and (b) with the
 * same QUIC endpoints over plain 127.0.0.1 UDP sockets, {@code PINGS} pings per round after as many warm-up pings,
 * {@code ROUNDS} rounds each, interleaved; prints the median and p90 round trip of each path. The application-level
 * round trip is what a decision sent over the channel pays twice, once each way.
 *
 * <pre>
 * java -cp bundles/transport-ice/target/test-classes:bundles/transport-ice/target/classes:$(cat bundles/transport-ice/target/cp.txt) \
 *      org.gcs.transport.ice.RoundTripBench [PINGS=2000] [ROUNDS=3]
 * </pre>
 */
public final class RoundTripBench {
    private RoundTripBench() {
    }

    public static void main(String[] args) throws Exception {
        int pings = args.length > 0 ? Integer.parseInt(args[0]) : 2000;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        java.util.logging.Logger.getLogger("").setLevel(java.util.logging.Level.SEVERE);
        IceTransport ice = new IceTransport(TransportSettings.configOf(Map.of("host_addresses", new String[] {"127.0.0.1"})));
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());
        QuicEndpoint.Settings quic = TransportSettings.of(Map.of()).quic();
        List<Double> iceUs = new ArrayList<>();
        List<Double> udpUs = new ArrayList<>();
        try {
            for (int r = 0; r < rounds; r++) {
                P2PChannel[] a = ThroughputBench.connectIce(ice, new ArrayList<>());
                List<Double> i = pingPong(a[0], a[1], pings);
                ThroughputBench.closeAll(a);
                P2PChannel[] b = ThroughputBench.connectUdp(group, quic);
                List<Double> u = pingPong(b[0], b[1], pings);
                ThroughputBench.closeAll(b);
                System.out.printf("round %d: ICE path p50 %.0f µs p90 %.0f µs; plain UDP p50 %.0f µs p90 %.0f µs%n", r + 1,
                        pct(i, 50), pct(i, 90), pct(u, 50), pct(u, 90));
                iceUs.addAll(i);
                udpUs.addAll(u);
            }
        } finally {
            ice.deactivate();
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(3, TimeUnit.SECONDS);
        }
        System.out.printf("%d pings x %d rounds: ICE path p50 %.0f µs p90 %.0f µs; plain UDP p50 %.0f µs p90 %.0f µs%n",
                pings, rounds, pct(iceUs, 50), pct(iceUs, 90), pct(udpUs, 50), pct(udpUs, 90));
    }

    /** Warm-up pings, then {@code pings} timed ones; a echoes nothing, b echoes every byte it reads. */
    private static List<Double> pingPong(P2PChannel a, P2PChannel b, int pings) throws Exception {
        Thread echo = new Thread(() -> {
            try {
                InputStream in = b.input();
                OutputStream out = b.output();
                int c;
                while ((c = in.read()) >= 0) {
                    out.write(c);
                    out.flush();
                }
            } catch (IOException e) {
                // channel closed
            }
        }, "echo");
        echo.setDaemon(true);
        echo.start();
        InputStream in = a.input();
        OutputStream out = a.output();
        List<Double> us = new ArrayList<>(pings);
        for (int k = 0; k < 2 * pings; k++) {
            long t0 = System.nanoTime();
            out.write(k);
            out.flush();
            if (in.read() < 0) {
                throw new IOException("EOF after " + k + " pings");
            }
            if (k >= pings) {
                us.add((System.nanoTime() - t0) / 1e3);
            }
        }
        return us;
    }

    private static double pct(List<Double> v, int p) {
        List<Double> s = new ArrayList<>(v);
        java.util.Collections.sort(s);
        return s.get(Math.min(s.size() - 1, s.size() * p / 100));
    }
}
