package org.gcs.launcher;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;

/**
 * A running node of the distributed role ({@code kademlia.jar}): the node as daemons see it ({@link #node()}), the
 * address other nodes dial for node-to-node links, and the router's status file ({@code state/kademlia.properties}).
 * {@link LocalCluster#restartKademlia} starts it again in the same directory, with the same identity and ports.
 */
public final class KademliaNodeProcess {
    /** Where the cluster tells each router to write its status, relative to the node's directory. */
    public static final String STATUS_FILE = "state/kademlia.properties";

    private final String name;
    private final NodeProcess node;
    private final String linkHost;
    private final int linkPort;
    private final Map<String, String> nodeConfig;
    private final Map<String, String> routerConfig;

    KademliaNodeProcess(String name, NodeProcess node, Properties status, Map<String, String> nodeConfig,
            Map<String, String> routerConfig) {
        this.name = name;
        this.node = node;
        this.linkHost = status.getProperty("link.host");
        this.linkPort = Integer.parseInt(status.getProperty("link.port"));
        this.nodeConfig = Map.copyOf(nodeConfig);
        this.routerConfig = Map.copyOf(routerConfig);
    }

    /** The cluster's name for this node, which is also its directory's name. */
    public String name() {
        return name;
    }

    /** The node as daemons reach it: TLS port, STUN port, node id, stats. */
    public NodeProcess node() {
        return node;
    }

    public RoleProcess process() {
        return node.process();
    }

    public String nodeId() {
        return node.nodeId();
    }

    public int linkPort() {
        return linkPort;
    }

    /** What another node's {@code bootstrap} lists to join through this one: {@code host:linkPort#nodeid}. */
    public String linkAddress() {
        return linkHost + ":" + linkPort + "#" + node.nodeId();
    }

    /** What a daemon's {@code bootstrap.nodes} lists to reach this node: {@code host:tlsPort#nodeid}. */
    public String daemonAddress() {
        return node.daemonAddress();
    }

    /** The node configuration (PID {@code org.gcs.node}) this node was started with. */
    Map<String, String> nodeConfig() {
        return nodeConfig;
    }

    /** The router configuration (PID {@code org.gcs.routing.kademlia}) this node was started with. */
    Map<String, String> routerConfig() {
        return routerConfig;
    }

    /**
     * The router's status as last written (every few seconds): {@code node.id}, {@code link.port},
     * {@code link.bytes.read}, {@code link.bytes.written}, {@code dht.contacts}, {@code presences.handled},
     * {@code devices.attached}; empty if the file is missing.
     */
    public Properties status() throws IOException {
        return read(process().dir().resolve(STATUS_FILE));
    }

    /** One numeric entry of {@link #status()}, 0 when it is missing. */
    public long statusCount(String key) throws IOException {
        return Long.parseLong(status().getProperty(key, "0").trim());
    }

    /** Bytes this node's links read and wrote so far. */
    public long linkBytes() throws IOException {
        Properties status = status();
        return Long.parseLong(status.getProperty("link.bytes.read", "0"))
                + Long.parseLong(status.getProperty("link.bytes.written", "0"));
    }

    /** The node's daemon-facing traffic counters, as last written to {@code state/stats.properties}. */
    public Properties stats() throws IOException {
        return node.stats();
    }

    static Properties read(Path file) throws IOException {
        Properties p = new Properties();
        if (Files.exists(file)) {
            try (InputStream in = Files.newInputStream(file)) {
                p.load(in);
            }
        }
        return p;
    }

    @Override
    public String toString() {
        return name + " " + node.nodeId().substring(0, 8) + " (TLS " + node.tlsPort() + ", link " + linkPort + ")";
    }
}
