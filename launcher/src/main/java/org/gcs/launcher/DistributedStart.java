package org.gcs.launcher;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The first steps of {@code demo --distributed}: three nodes with the Kademlia router (the second and third join the
 * DHT through the first), and daemons for Alice and Bob that ask a bootstrap node for their handler nodes and move to
 * the first one. Bob gets a new key until his first handler differs from Alice's, so that every control message
 * between them crosses a node-to-node link.
 */
final class DistributedStart {
    private static final int NODES = 3;
    /** Each new key has a 1 in 3 chance of Alice's first handler; six draws all failing is 1 in 729. */
    private static final int MAX_KEYS_FOR_BOB = 6;
    private static final Duration JOIN_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration LOGIN_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration SETTLE_TIMEOUT = Duration.ofSeconds(6);

    private final LocalCluster cluster;
    private final Consumer<String> step;
    private final Map<String, String> names = new LinkedHashMap<>();

    DistributedStart(LocalCluster cluster, Consumer<String> step) {
        this.cluster = cluster;
        this.step = step;
    }

    DemoDeployment run() throws IOException, InterruptedException {
        step.accept("1. Start " + NODES + " GCS nodes with the Kademlia router on loopback; node2 and node3 join the DHT"
                + " through node1");
        KademliaNodeProcess first = cluster.startKademlia("node1", List.of());
        List<KademliaNodeProcess> nodes = new ArrayList<>(List.of(first));
        for (int i = 2; i <= NODES; i++) {
            nodes.add(cluster.startKademlia("node" + i, List.of(first)));
        }
        for (KademliaNodeProcess node : nodes) {
            names.put(node.nodeId(), node.name());
        }
        awaitContacts(nodes, NODES - 1);
        for (KademliaNodeProcess node : nodes) {
            step.accept("   " + node.name() + " id " + node.nodeId() + ", TLS port " + node.node().tlsPort()
                    + ", link port " + node.linkPort() + ", DHT contacts " + node.statusCount("dht.contacts"));
        }

        step.accept("2. Start Alice's daemon on her laptop and Bob's on his phone; each asks node1 for its user's handler"
                + " nodes and moves to the first");
        List<NodeProcess> bootstrap = nodes.stream().map(KademliaNodeProcess::node).toList();
        DaemonProcess alice = cluster.startDaemon("alice", "laptop", bootstrap, "upload", null);
        String aliceNode = alice.awaitLogin(LOGIN_TIMEOUT);
        step.accept("   Alice is " + alice.userId() + ", on " + names.get(aliceNode) + handlerNames(alice));
        DaemonProcess bob = startBobElsewhere(bootstrap, aliceNode);
        step.accept("   Bob   is " + bob.userId() + ", on " + names.get(bob.loggedInNode()) + handlerNames(bob));
        awaitAttached(nodes, 2);
        awaitReplicated(nodes, 2 * NODES);
        for (KademliaNodeProcess node : nodes) {
            step.accept("   " + node.name() + ": devices attached " + node.statusCount("devices.attached")
                    + ", presences handled " + node.statusCount("presences.handled"));
        }
        return new DemoDeployment(alice, bob, "the nodes (daemon TLS + node links)", () -> {
            long bytes = 0;
            for (KademliaNodeProcess node : nodes) {
                bytes += Demo.tlsBytes(node.node()) + node.linkBytes();
            }
            return bytes;
        });
    }

    private DaemonProcess startBobElsewhere(List<NodeProcess> bootstrap, String aliceNode)
            throws IOException, InterruptedException {
        for (int attempt = 1; attempt <= MAX_KEYS_FOR_BOB; attempt++) {
            DaemonProcess bob = cluster.startDaemon("bob", "phone", bootstrap, "upload", null);
            String bobNode = bob.awaitLogin(LOGIN_TIMEOUT);
            if (!bobNode.equals(aliceNode)) {
                return bob;
            }
            step.accept("   (Bob's new key " + bob.userId().substring(0, 12) + "... is handled first by "
                    + names.get(bobNode) + " too; the demo wants two nodes, so Bob makes another key)");
            bob.process().close();
            LocalCluster.deleteTree(bob.process().dir());
        }
        throw new IllegalStateException(MAX_KEYS_FOR_BOB + " keys for Bob all had Alice's first handler");
    }

    private String handlerNames(DaemonProcess daemon) throws IOException {
        List<String> handlers = daemon.handlers().stream()
                .map(address -> names.getOrDefault(address.substring(address.lastIndexOf('#') + 1), address)).toList();
        return handlers.isEmpty() ? "" : " (handlers, nearest first: " + String.join(", ", handlers) + ")";
    }

    private static void awaitContacts(List<KademliaNodeProcess> nodes, int contacts) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + JOIN_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            boolean all = true;
            for (KademliaNodeProcess node : nodes) {
                all &= node.statusCount("dht.contacts") >= contacts;
            }
            if (all) {
                return;
            }
            Thread.sleep(200);
        }
        throw new IllegalStateException("the nodes did not all learn " + contacts + " DHT contacts within " + JOIN_TIMEOUT);
    }

    /**
     * Waits a little for the presences to reach every handler (with the default {@code replicas} = 3, each of the
     * three nodes handles both users), so that the counts shown are settled; goes on regardless after a few seconds.
     */
    private static void awaitReplicated(List<KademliaNodeProcess> nodes, int presences) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + SETTLE_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            long handled = 0;
            for (KademliaNodeProcess node : nodes) {
                handled += node.statusCount("presences.handled");
            }
            if (handled >= presences) {
                return;
            }
            Thread.sleep(200);
        }
    }

    private static void awaitAttached(List<KademliaNodeProcess> nodes, int devices) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + JOIN_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            long attached = 0;
            for (KademliaNodeProcess node : nodes) {
                attached += node.statusCount("devices.attached");
            }
            if (attached >= devices) {
                return;
            }
            Thread.sleep(200);
        }
        throw new IllegalStateException("the nodes' status files do not show " + devices + " attached devices within "
                + JOIN_TIMEOUT);
    }
}
