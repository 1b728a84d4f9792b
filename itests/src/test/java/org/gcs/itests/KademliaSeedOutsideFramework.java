package org.gcs.itests;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;
import org.gcs.launcher.KademliaNodeProcess;
import org.gcs.launcher.LocalCluster;

/**
 * A node of the distributed role run from the assembly's {@code kademlia.jar} as a separate process (the first node
 * of a DHT: no bootstrap), for in-framework tests of a second node joining through it. Started once per JVM by the test
 * driver; its processes are ended by their PIDs when the JVM exits.
 */
final class KademliaSeedOutsideFramework {
    private static Properties started;

    private KademliaSeedOutsideFramework() {
    }

    /**
     * Starts the seed node if this JVM has not yet, and returns, once its link listener is bound, {@code link.address}
     * (what another node's {@code bootstrap} lists) and {@code status.file} (the absolute path of its router's status
     * file). Plain strings, so that test classes loaded inside the framework need no launcher class.
     */
    static synchronized Properties ensureStarted() throws IOException, InterruptedException {
        if (started != null) {
            return started;
        }
        Path work = Path.of(System.getProperty("gcs.work.dir", "target/e2e")).resolve("KademliaRoleIT");
        LocalCluster.deleteTree(work);
        LocalCluster cluster = new LocalCluster(work, RoleBundles.assemblyDir().resolve("target"), null);
        Runtime.getRuntime().addShutdownHook(new Thread(cluster::close, "kademlia-seed-stop"));
        KademliaNodeProcess seed = cluster.startKademlia("seed", List.of());
        Properties p = new Properties();
        p.setProperty("link.address", seed.linkAddress());
        p.setProperty("status.file", seed.process().dir().resolve(KademliaNodeProcess.STATUS_FILE).toString());
        started = p;
        return p;
    }
}
