package org.gcs.itests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.gcs.api.NodeId;
import org.gcs.launcher.LocalCluster;
import org.gcs.launcher.NodeLoad;
import org.gcs.launcher.NodeProcess;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The node load generator against a real {@code central.jar}, with small numbers: its simulated daemons log in over
 * TLS from two loopback source addresses, stay logged in while pinging, and the node counts them as its sessions and
 * lets them go when they close. The big runs are {@code nodeload} benchmarks (docs/BENCHMARKS.md).
 */
@Timeout(120)
class NodeLoadIT {
    @Test
    void simulatedDaemonsLogInStayAndLeave() throws Exception {
        Path work = Path.of(System.getProperty("gcs.work.dir", "target/e2e")).resolve("NodeLoadIT");
        LocalCluster.deleteTree(work);
        try (LocalCluster cluster = new LocalCluster(work, RoleBundles.assemblyDir().resolve("target"), null)) {
            NodeProcess node = cluster.startCentral();
            try (NodeLoad load = new NodeLoad(new InetSocketAddress(node.host(), node.tlsPort()),
                    NodeId.fromHex(node.nodeId()), 1, NodeLoad.loopbackSources(2))) {
                List<CompletableFuture<NodeLoad.Session>> logins = new ArrayList<>();
                for (int i = 0; i < 100; i++) {
                    NodeLoad.User user = NodeLoad.User.fresh();
                    logins.add(load.login(user, "sim"));
                }
                List<NodeLoad.Session> sessions = new ArrayList<>();
                for (CompletableFuture<NodeLoad.Session> f : logins) {
                    NodeLoad.Session s = f.get(60, TimeUnit.SECONDS);
                    assertTrue(s.loginNanos() > 0);
                    sessions.add(s);
                }
                awaitSessions(node, 100);
                assertTrue(sessions.stream().allMatch(NodeLoad.Session::isOpen), "all held");
                sessions.forEach(NodeLoad.Session::close);
                awaitSessions(node, 0);
                assertEquals(100L + 0, Long.parseLong(node.stats().getProperty("logins.ok")));
            }
        }
    }

    private static void awaitSessions(NodeProcess node, long expected) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (true) {
            String current = node.stats().getProperty("sessions.current", "-1");
            if (Long.parseLong(current) == expected) {
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("the node holds " + current + " sessions, not " + expected);
            }
            Thread.sleep(200);
        }
    }
}
