package org.gcs.relay;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import java.io.DataInputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.gcs.api.DeviceOfflineException;
import org.gcs.api.NodeId;
import org.gcs.api.transport.ChannelType;
import org.gcs.api.transport.P2PChannel;
import org.gcs.relay.client.BaselineClient;
import org.gcs.transport.ice.IceTransport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A baseline connect end to end on loopback: the real relay over TLS, two baseline applications, GCS's ICE + QUIC
 * transport; the bytes Alice sends come back from Bob's echo intact, and a connect to nobody fails at once.
 */
@Timeout(60)
class BaselineConnectTest {
    @TempDir
    Path tmp;
    private RelayServer relay;
    private IceTransport transport;
    private MultiThreadIoEventLoopGroup group;
    private ExecutorService pool;

    @BeforeEach
    void start() throws Exception {
        relay = new RelayServer();
        relay.activate(RelayConfigs.ephemeral(tmp, Map.of()));
        transport = IceTransport.standalone(Map.of("host_addresses", new String[] {"127.0.0.1"}));
        group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        pool = Executors.newCachedThreadPool();
    }

    @AfterEach
    void stop() {
        relay.deactivate();
        transport.deactivate();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
        pool.shutdownNow();
    }

    private BaselineClient client(String id, java.util.function.BiConsumer<String, P2PChannel> accepted) throws Exception {
        return BaselineClient.connect(new InetSocketAddress("127.0.0.1", relay.tlsPort()), NodeId.fromHex(relay.relayId()),
                id, transport, group, pool, Duration.ofSeconds(15), accepted).get(10, TimeUnit.SECONDS);
    }

    @Test
    void aBaselineConnectMovesBytesOverIceAndQuic() throws Exception {
        try (BaselineClient bob = client("bob", (peer, channel) -> pool.execute(() -> echo(channel)));
                BaselineClient alice = client("alice", (peer, channel) -> channel.close())) {
            assertEquals(1, alice.iceServers().size(), "the relay's STUN responder is advertised");
            P2PChannel channel = alice.open("bob", ChannelType.DATA).get(30, TimeUnit.SECONDS);
            byte[] sent = new byte[256 * 1024];
            new Random(3).nextBytes(sent);
            OutputStream out = channel.output();
            out.write(sent);
            out.flush();
            byte[] back = new byte[sent.length];
            new DataInputStream(channel.input()).readFully(back);
            assertArrayEquals(sent, back, "Bob's echo over the P2P channel");
            channel.close();
        }
        assertTrue(Long.parseLong(java.nio.file.Files.readAllLines(tmp.resolve("relay.properties")).stream()
                .filter(l -> l.startsWith("tls.port=")).findFirst().orElseThrow().substring(9)) > 0);
    }

    @Test
    void aConnectToAnIdNobodyRegisteredFailsAtOnce() throws Exception {
        try (BaselineClient alice = client("alice", (peer, channel) -> channel.close())) {
            ExecutionException e = assertThrows(ExecutionException.class,
                    () -> alice.open("nobody", ChannelType.DATA).get(10, TimeUnit.SECONDS));
            assertInstanceOf(DeviceOfflineException.class, e.getCause());
        }
    }

    private static void echo(P2PChannel channel) {
        try (InputStream in = channel.input(); OutputStream out = channel.output()) {
            byte[] buffer = new byte[16 * 1024];
            for (int n; (n = in.read(buffer)) > 0;) {
                out.write(buffer, 0, n);
                out.flush();
            }
        } catch (Exception ended) {
            // the channel closed
        }
    }
}
