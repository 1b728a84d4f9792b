package org.gcs.launcher;

import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.gcs.api.NodeId;
import org.gcs.api.transport.ChannelType;
import org.gcs.api.transport.P2PChannel;
import org.gcs.relay.client.BaselineClient;
import org.gcs.transport.ice.IceTransport;

/**
 * {@link ConnectBench}'s experiment on the baseline relay (the seed's minified system): {@code relay.jar} as a process,
 * and two baseline applications, Alice and Bob, each with its own ICE + QUIC transport, in this JVM; Alice opens N
 * channels to Bob at once and Bob accepts all. Each latency runs from the call to the open channel (relay forward,
 * ICE, QUIC handshake): what GCS adds on top (login, friends, Connect handshake, signed signaling, the daemon's pipe
 * to the application) is the difference to {@link ConnectBench} in the same run.
 */
public final class BaselineBench {
    private final Path workDir;
    private final PrintStream out;

    public BaselineBench(Path workDir, PrintStream out) {
        this.workDir = workDir.toAbsolutePath();
        this.out = out;
    }

    public List<ConnectBench.Result> run(int[] sizes, int warmup) throws Exception {
        LocalCluster.deleteTree(workDir);
        List<ConnectBench.Result> results = new ArrayList<>();
        Map<String, Object> loopback = Map.of("host_addresses", new String[] {"127.0.0.1"});
        IceTransport aliceIce = IceTransport.standalone(loopback);
        IceTransport bobIce = IceTransport.standalone(loopback);
        MultiThreadIoEventLoopGroup group = new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());
        ExecutorService pool = Executors.newCachedThreadPool();
        ConcurrentLinkedQueue<P2PChannel> accepted = new ConcurrentLinkedQueue<>();
        try (LocalCluster cluster = new LocalCluster(workDir, LocalCluster.findAssembly(), null)) {
            RelayProcess relay = cluster.startRelay(Map.of("max.frame.bytes", "65536"));
            NodeId relayId = NodeId.fromHex(relay.relayId());
            Duration timeout = Duration.ofSeconds(60);
            try (BaselineClient bob = BaselineClient.connect(relay.address(), relayId, "bob", bobIce, group, pool, timeout,
                    (peer, channel) -> accepted.add(channel)).get(30, TimeUnit.SECONDS);
                    BaselineClient alice = BaselineClient.connect(relay.address(), relayId, "alice", aliceIce, group, pool,
                            timeout, (peer, channel) -> channel.close()).get(30, TimeUnit.SECONDS)) {
                round(alice, warmup, accepted);
                for (int n : sizes) {
                    ConnectBench.Result r = round(alice, n, accepted);
                    out.printf("baseline N=%d ok=%d failed=%d p50=%.1f ms p99=%.1f ms max=%.1f ms wall=%.1f ms%s%n", r.n(),
                            r.ok(), r.failed(), r.p50Ms(), r.p99Ms(), r.maxMs(), r.wallMs(),
                            r.firstFailure() == null ? "" : " first failure: " + r.firstFailure());
                    results.add(r);
                }
            }
        } finally {
            aliceIce.deactivate();
            bobIce.deactivate();
            group.shutdownGracefully(0, 2, TimeUnit.SECONDS);
            pool.shutdownNow();
        }
        return results;
    }

    private static ConnectBench.Result round(BaselineClient alice, int n, ConcurrentLinkedQueue<P2PChannel> accepted)
            throws InterruptedException {
        return ConnectBench.measure(n, () -> alice.open("bob", ChannelType.DATA), accepted);
    }
}
