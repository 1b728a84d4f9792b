package org.gcs.itests;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import org.gcs.bns.registry.BnsRegistry;

/**
 * The offline BNS registry for in-framework tests, started outside the framework (in the JVM that runs Pax Exam's
 * configuration) and reached over HTTP on loopback; it runs until the JVM ends.
 */
final class TestRegistry {
    private static BnsRegistry registry;

    private TestRegistry() {
    }

    /** Starts the registry once, registers {@code name} to {@code owner} and returns its base URL. */
    static synchronized String start(String name, String owner) throws Exception {
        if (registry == null) {
            registry = BnsRegistry.start(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), null);
        }
        registry.register(name, owner);
        return registry.url().toString();
    }
}
