package org.gcs.launcher;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;

/** A running GCS node process and what it reported at start: its id and its ports. */
public final class NodeProcess {
    private final RoleProcess process;
    private final String nodeId;
    private final int tlsPort;
    private final int stunPort;
    private final String host;

    NodeProcess(RoleProcess process, Properties started, String host) {
        this.process = process;
        this.host = host;
        this.nodeId = started.getProperty("node.id");
        this.tlsPort = Integer.parseInt(started.getProperty("tls.port"));
        this.stunPort = Integer.parseInt(started.getProperty("stun.port", "-1"));
    }

    public RoleProcess process() {
        return process;
    }

    public String nodeId() {
        return nodeId;
    }

    /** The address daemons dial to reach this node. */
    public String host() {
        return host;
    }

    public int tlsPort() {
        return tlsPort;
    }

    /** What a daemon's {@code bootstrap.nodes} lists to reach this node: {@code host:tlsPort#nodeid}. */
    public String daemonAddress() {
        return host + ":" + tlsPort + "#" + nodeId;
    }

    public int stunPort() {
        return stunPort;
    }

    /** The node's own traffic counters, as last written to {@code state/stats.properties}. */
    public Properties stats() throws IOException {
        Properties p = new Properties();
        Path file = process.dir().resolve("state/stats.properties");
        if (Files.exists(file)) {
            try (var in = Files.newInputStream(file)) {
                p.load(in);
            }
        }
        return p;
    }
}
