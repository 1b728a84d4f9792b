package org.gcs.itests;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

/**
 * A central node run from the assembly's {@code central.jar} as a separate process, for in-framework tests of roles
 * that need a node to talk to. Started once per JVM by the test driver; ended by its PID when the JVM exits.
 */
final class NodeOutsideFramework {
    private static Properties started;

    private NodeOutsideFramework() {
    }

    /** Starts the node if this JVM has not yet, and returns {@code node.id}, {@code tls.port}, {@code stun.port}. */
    static synchronized Properties ensureStarted() throws IOException, InterruptedException {
        if (started != null) {
            return started;
        }
        Path dir = Files.createTempDirectory("gcs-itest-node");
        Files.createDirectories(dir.resolve("etc"));
        Files.writeString(dir.resolve("etc/org.gcs.node.cfg"), "host=127.0.0.1\nport=0\nstun.port=0\nstate.dir=state\n",
                StandardCharsets.UTF_8);
        Path jar = RoleBundles.assemblyDir().resolve("target/central.jar");
        Process process = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m", "-jar", jar.toString())
                .directory(dir.toFile()).redirectErrorStream(true).redirectOutput(dir.resolve("node.log").toFile()).start();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            process.destroy();
            try {
                process.waitFor(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            process.destroyForcibly();
        }));
        Path file = dir.resolve("state/node.properties");
        long deadline = System.currentTimeMillis() + 60_000;
        while (System.currentTimeMillis() < deadline && process.isAlive()) {
            if (Files.isRegularFile(file) && Files.size(file) > 0) {
                Properties p = new Properties();
                try (InputStream in = Files.newInputStream(file)) {
                    p.load(in);
                }
                started = p;
                return p;
            }
            Thread.sleep(50);
        }
        throw new IllegalStateException("central node did not start: " + String.join("\n",
                Files.exists(dir.resolve("node.log")) ? Files.readAllLines(dir.resolve("node.log")) : List.of()));
    }
}
