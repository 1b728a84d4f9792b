package org.gcs.routing.kademlia;

import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.gcs.api.NodeId;
import org.gcs.api.node.NodeIdentity;
import org.gcs.api.routing.NodeAddress;
import org.gcs.api.routing.Router;
import org.gcs.contracts.RouterContract;
import org.gcs.routing.kademlia.dht.KadConfig;
import org.gcs.routing.kademlia.link.LinkConfig;
import org.gcs.routing.kademlia.link.NodeKeys;
import org.gcs.routing.kademlia.link.TestKeys;
import org.gcs.routing.kademlia.route.KademliaNode;

/**
 * Test fixture: Kademlia routers on loopback, each with a fresh node identity and its link listener on a free port of
 * 127.0.0.1, every one after the first joining through the first; started and waited for until every node knows all
 * the others. The daemon addresses are made up (nothing dials them in router tests).
 */
public final class TestCluster implements RouterContract.Cluster {
    private final List<KademliaRouter> routers = new ArrayList<>();
    private final List<NodeAddress> nodes = new ArrayList<>();

    /** Settings for loopback tests: no IP-group limits (every node is on 127.0.0.1), short timeouts. */
    public static KademliaNode.Settings settings(List<NodeAddress> bootstrap) {
        return new KademliaNode.Settings("127.0.0.1", 0, "", bootstrap, 3,
                KadConfig.defaults().withMaxPerGroupPerBucket(0).withMaxPerGroupPerResult(0).withRpcTimeoutMillis(2000),
                LinkConfig.defaults(), Duration.ofSeconds(2), Duration.ofSeconds(30), 1000);
    }

    public static TestCluster start(int size) throws InterruptedException {
        TestCluster cluster = new TestCluster();
        try {
            NodeAddress seed = null;
            for (int i = 0; i < size; i++) {
                KademliaRouter router = cluster.add(settings(seed == null ? List.of() : List.of(seed)), 20_000 + i);
                if (seed == null) {
                    KademliaNode node = router.node();
                    seed = new NodeAddress(node.id(), "127.0.0.1", node.linkAddress().getPort());
                }
            }
            cluster.awaitFullTables();
            return cluster;
        } catch (RuntimeException | InterruptedException | Error e) {
            cluster.close();
            throw e;
        }
    }

    /** Starts one more router with {@code settings}, its made-up daemon port {@code daemonPort}. */
    public KademliaRouter add(KademliaNode.Settings settings, int daemonPort) {
        TestIdentity identity = new TestIdentity(TestKeys.generate());
        KademliaRouter router = new KademliaRouter(identity, settings);
        NodeAddress address = new NodeAddress(identity.id(), "127.0.0.1", daemonPort);
        router.start(address).join();
        routers.add(router);
        nodes.add(address);
        return router;
    }

    /** Waits (at most 15 s) until every node has every other in its routing table. */
    public void awaitFullTables() throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        while (routers.stream().anyMatch(r -> r.node().contacts() < routers.size() - 1)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("the nodes did not find each other: "
                        + routers.stream().map(r -> r.node().contacts()).toList());
            }
            Thread.sleep(20);
        }
    }

    @Override
    public List<Router> routers() {
        return List.copyOf(routers);
    }

    public List<KademliaRouter> kademliaRouters() {
        return List.copyOf(routers);
    }

    @Override
    public List<NodeAddress> nodes() {
        return List.copyOf(nodes);
    }

    @Override
    public void close() {
        routers.forEach(r -> r.stop().join());
    }

    /** A node identity over generated keys, as the node bundle's is. */
    public static final class TestIdentity implements NodeIdentity {
        private final NodeKeys keys;

        public TestIdentity(NodeKeys keys) {
            this.keys = keys;
        }

        @Override
        public NodeId id() {
            return keys.id();
        }

        @Override
        public X509Certificate certificate() {
            return keys.certificate();
        }

        @Override
        public PrivateKey privateKey() {
            return keys.privateKey();
        }

        @Override
        public byte[] sign(byte[] data) {
            try {
                Signature signature = Signature.getInstance("SHA256withECDSA");
                signature.initSign(keys.privateKey());
                signature.update(data);
                return signature.sign();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }
    }
}
