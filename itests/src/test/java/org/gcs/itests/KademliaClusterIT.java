package org.gcs.itests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.gcs.launcher.DaemonProcess;
import org.gcs.launcher.KademliaNodeProcess;
import org.gcs.launcher.LocalCluster;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;

/**
 * Three nodes of the distributed role ({@code kademlia.jar}) as separate processes on loopback, started the way
 * {@code ./demo --distributed} starts them: they find each other through the first, a daemon finds its user's handler
 * through a bootstrap list, and a node killed like a crash comes back in its directory with its identity and ports.
 */
@Timeout(180)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class KademliaClusterIT {
    private static final Duration WAIT = Duration.ofSeconds(30);

    private static LocalCluster cluster;
    private static List<KademliaNodeProcess> nodes;

    @BeforeAll
    static void startNodes() throws Exception {
        Path work = Path.of(System.getProperty("gcs.work.dir", "target/e2e")).resolve("KademliaClusterIT");
        LocalCluster.deleteTree(work);
        cluster = new LocalCluster(work, RoleBundles.assemblyDir().resolve("target"), null);
        KademliaNodeProcess first = cluster.startKademlia("node1", List.of());
        nodes = List.of(first, cluster.startKademlia("node2", List.of(first)), cluster.startKademlia("node3", List.of(first)));
    }

    @AfterAll
    static void stopNodes() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    @Order(1)
    void everyNodeLearnsTheOtherTwo() throws Exception {
        for (KademliaNodeProcess node : nodes) {
            awaitCount(node, "dht.contacts", 2);
            assertEquals(node.nodeId(), node.status().getProperty("node.id"), "the router runs as the node");
            assertTrue(node.linkBytes() > 0, node + " exchanged link bytes");
        }
    }

    @Test
    @Order(2)
    void aDaemonWithABootstrapListLogsInAtItsFirstHandler() throws Exception {
        DaemonProcess daemon = cluster.startDaemon("dora", "laptop", List.of(nodes.get(0).node()), "upload", null);
        String loggedIn = daemon.awaitLogin(WAIT);
        List<String> handlers = daemon.handlers();
        assertEquals(3, handlers.size(), "with replicas=3 every node handles her: " + handlers);
        assertTrue(handlers.get(0).endsWith("#" + loggedIn), "logged in at the first handler: " + handlers);
        KademliaNodeProcess home = nodes.stream().filter(n -> n.nodeId().equals(loggedIn)).findFirst().orElseThrow();
        assertTrue(handlers.get(0).equals(home.daemonAddress()), "the handler is named by its daemon address");
        awaitCount(home, "devices.attached", 1);
    }

    @Test
    @Order(3)
    void aKilledNodeComesBackWithItsIdentityAndPorts() throws Exception {
        KademliaNodeProcess before = nodes.get(2);
        before.process().kill();
        assertFalse(before.process().isAlive());
        KademliaNodeProcess after = cluster.restartKademlia(before);
        assertEquals(before.nodeId(), after.nodeId());
        assertEquals(before.linkPort(), after.linkPort());
        assertEquals(before.node().tlsPort(), after.node().tlsPort());
        assertTrue(after.process().pid() != before.process().pid());
        awaitCount(after, "dht.contacts", 2);
    }

    private static void awaitCount(KademliaNodeProcess node, String key, long min) throws Exception {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (System.nanoTime() < deadline) {
            if (node.statusCount(key) >= min) {
                return;
            }
            Thread.sleep(100);
        }
        throw new AssertionError(node + ": " + key + " did not reach " + min + " within " + WAIT + ": " + node.status());
    }
}
