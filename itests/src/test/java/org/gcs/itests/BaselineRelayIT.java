package org.gcs.itests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.gcs.api.NodeId;
import org.gcs.api.transport.ChannelType;
import org.gcs.api.transport.P2PChannel;
import org.gcs.launcher.LocalCluster;
import org.gcs.launcher.RelayProcess;
import org.gcs.relay.client.BaselineClient;
import org.gcs.transport.ice.IceTransport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The baseline relay role as a process ({@code relay.jar}) and two baseline applications in this JVM: a baseline
 * connect moves 1 MiB over GCS's ICE + QUIC transport, intact, and the relay carried only signaling.
 */
@Timeout(120)
class BaselineRelayIT {
    @Test
    void aBaselineConnectThroughRelayJarMovesBytesPeerToPeer() throws Exception {
        Path work = Path.of(System.getProperty("gcs.work.dir", "target/e2e")).resolve("BaselineRelayIT");
        LocalCluster.deleteTree(work);
        IceTransport transport = IceTransport.standalone(Map.of("host_addresses", new String[] {"127.0.0.1"}));
        MultiThreadIoEventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        ExecutorService pool = Executors.newCachedThreadPool();
        try (LocalCluster cluster = new LocalCluster(work, RoleBundles.assemblyDir().resolve("target"), null)) {
            RelayProcess relay = cluster.startRelay(Map.of());
            CompletableFuture<P2PChannel> atBob = new CompletableFuture<>();
            try (BaselineClient bob = BaselineClient.connect(relay.address(), NodeId.fromHex(relay.relayId()), "bob",
                    transport, group, pool, Duration.ofSeconds(15), (peer, channel) -> atBob.complete(channel))
                    .get(10, TimeUnit.SECONDS);
                    BaselineClient alice = BaselineClient.connect(relay.address(), NodeId.fromHex(relay.relayId()),
                            "alice", transport, group, pool, Duration.ofSeconds(15), (peer, channel) -> channel.close())
                            .get(10, TimeUnit.SECONDS)) {
                P2PChannel out = alice.open("bob", ChannelType.DATA).get(30, TimeUnit.SECONDS);
                P2PChannel in = atBob.get(30, TimeUnit.SECONDS);
                byte[] payload = new byte[1024 * 1024];
                new Random(11).nextBytes(payload);
                CompletableFuture<byte[]> received = CompletableFuture.supplyAsync(() -> {
                    try {
                        return in.input().readAllBytes();
                    } catch (java.io.IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                }, pool);
                out.output().write(payload);
                out.output().close();
                byte[] got = received.get(60, TimeUnit.SECONDS);
                assertEquals(payload.length, got.length);
                assertTrue(java.util.Arrays.equals(payload, got), "the bytes arrived intact");
                out.close();
                in.close();
            }
            Thread.sleep(1500); // the relay writes its counters every second
            Properties stats = new Properties();
            try (var r = java.nio.file.Files.newBufferedReader(relay.process().dir().resolve("state/stats.properties"))) {
                stats.load(r);
            }
            long forwarded = Long.parseLong(stats.getProperty("forwarded.bytes"));
            assertTrue(forwarded > 0 && forwarded < 64 * 1024, "the relay carried signaling only: " + forwarded + " bytes");
            assertEquals("2", stats.getProperty("registrations"));
        } finally {
            transport.deactivate();
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            pool.shutdownNow();
        }
    }
}
