package org.gcs.node;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.gcs.api.auth.AuthProvider;
import org.gcs.api.auth.UserCredential;
import org.gcs.api.wire.NodeWire.NodeFrame;
import org.gcs.auth.bns.BnsAuthProvider;
import org.gcs.auth.bns.BnsCredentialStore;
import org.gcs.auth.pubkey.PubkeyAuthProvider;
import org.gcs.auth.pubkey.PubkeyCredentialStore;
import org.gcs.bns.registry.BnsRegistry;
import org.gcs.routing.central.CentralRouter;

/**
 * Benchmark, not a test (issue 12): login latency on the real node over TLS 1.3 on loopback, in one warm JVM, for
 * {@code pk} users, for {@code bns} users whose ownership the node has cached (warm), and for {@code bns} users it must
 * look up in the offline registry over HTTP (cold: a new name each login); then sequential warm BNS logins per second.
 * Each login is a new TLS connection, Hello, Challenge, Authenticate, Welcome. Prints medians and p90 of {@code N} each
 * after {@code N} warm-up logins, then sequential logins per second, pk and warm BNS, and the same with 8 clients
 * logging in at once (each its own device of the user).
 *
 * <pre>
 * ./mvnw -o -q test-compile -pl bundles/node -am
 * ./mvnw -o -q dependency:build-classpath -pl bundles/node -Dmdep.outputFile=cp.txt -Dmdep.includeScope=test
 * java -cp bundles/node/target/test-classes:bundles/node/target/classes:$(cat bundles/node/cp.txt) \
 *      org.gcs.node.BnsLoginBench [N=200]
 * </pre>
 */
public final class BnsLoginBench {
    private static final SecureRandom RANDOM = new SecureRandom();

    private BnsLoginBench() {
    }

    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 200;
        Path tmp = Files.createTempDirectory("bns-login-bench");
        try (BnsRegistry registry = BnsRegistry.start(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), null)) {
            BnsAuthProvider bns = BnsAuthProvider.standalone(Map.of("url", registry.url().toString(),
                    "lookups_max_in_flight", 1024));
            GcsNode node = new GcsNode();
            node.setRouter(new CentralRouter());
            node.addAuthProvider(new PubkeyAuthProvider(), Map.of(AuthProvider.SCHEME_PROPERTY, "pk", "service.id", 1L));
            node.addAuthProvider(bns, Map.of(AuthProvider.SCHEME_PROPERTY, "bns", "service.id", 2L));
            node.setIdentity(org.gcs.internal.identity.StoredNodeIdentity.loadOrCreate(tmp.resolve("node")));
            node.activate(TestConfigs.ephemeral(tmp.resolve("node"), Map.of()));
            try {
                UserCredential pk = new PubkeyCredentialStore().loadOrCreate(tmp.resolve("pk.key"), null);
                UserCredential warm = bnsUser(tmp, registry, "warm");
                long[] pkTimes = new long[n];
                long[] warmTimes = new long[n];
                long[] coldTimes = new long[n];
                for (int round = 0; round < 2; round++) { // the first round warms the JVM up
                    for (int i = 0; i < n; i++) {
                        pkTimes[i] = login(node, pk);
                        warmTimes[i] = login(node, warm);
                        coldTimes[i] = login(node, bnsUser(tmp, registry, "cold" + round + "x" + i));
                    }
                }
                long t0 = System.nanoTime();
                for (int i = 0; i < n; i++) {
                    login(node, pk);
                }
                double pkPerSecond = n / ((System.nanoTime() - t0) / 1e9);
                t0 = System.nanoTime();
                for (int i = 0; i < n; i++) {
                    login(node, warm);
                }
                double perSecond = n / ((System.nanoTime() - t0) / 1e9);
                double pkConcurrent = concurrent(node, pk, CLIENTS, n);
                double warmConcurrent = concurrent(node, warm, CLIENTS, n);
                System.out.printf("logins on loopback, N = %d each (median / p90, ms):%n", n);
                System.out.printf("  pk:                %s%n", stats(pkTimes));
                System.out.printf("  bns, warm cache:   %s%n", stats(warmTimes));
                System.out.printf("  bns, cold (HTTP):  %s%n", stats(coldTimes));
                System.out.printf("  sequential logins/s: pk %.0f, bns warm %.0f (%.2fx); registry requests: %d%n",
                        pkPerSecond, perSecond, perSecond / pkPerSecond, registry.requests());
                System.out.printf("  %d clients at once, logins/s: pk %.0f, bns warm %.0f (%.2fx)%n", CLIENTS, pkConcurrent,
                        warmConcurrent, warmConcurrent / pkConcurrent);
            } finally {
                node.deactivate();
                bns.close();
            }
        }
    }

    /** Clients logging in at once, each its own device of the user, for {@link #concurrent}. */
    private static final int CLIENTS = 8;

    /** Logins per second when {@code clients} connections log in at once, {@code total} logins in all. */
    private static double concurrent(GcsNode node, UserCredential who, int clients, int total) throws Exception {
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(clients);
        try {
            List<java.util.concurrent.Future<?>> done = new java.util.ArrayList<>();
            long t0 = System.nanoTime();
            for (int c = 0; c < clients; c++) {
                String device = "bench-" + c;
                int share = total / clients;
                done.add(pool.submit(() -> {
                    for (int i = 0; i < share; i++) {
                        login(node, who, device);
                    }
                    return null;
                }));
            }
            for (java.util.concurrent.Future<?> f : done) {
                f.get(5, java.util.concurrent.TimeUnit.MINUTES);
            }
            return (total / clients * clients) / ((System.nanoTime() - t0) / 1e9);
        } finally {
            pool.shutdownNow();
        }
    }

    private static UserCredential bnsUser(Path tmp, BnsRegistry registry, String name) throws Exception {
        byte[] d = new byte[32];
        RANDOM.nextBytes(d);
        d[0] &= 0x7f;
        Path key = tmp.resolve(name + ".key");
        Files.writeString(key, HexFormat.of().formatHex(d) + "01");
        Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("rw-------"));
        UserCredential c = new BnsCredentialStore().loadOrCreate(key, name + ".id");
        registry.register(name + ".id", org.gcs.auth.bns.StacksAddress.of(c.publicKey(), true).toString());
        return c;
    }

    /** One login on a new connection; nanoseconds from connecting to Welcome. */
    private static long login(GcsNode node, UserCredential who) throws Exception {
        return login(node, who, "bench");
    }

    private static long login(GcsNode node, UserCredential who, String device) throws Exception {
        long t0 = System.nanoTime();
        try (TestDaemon d = TestDaemon.connect(node.tlsPort(), node.nodeId())) {
            NodeFrame answer = d.login(who, device, false, List.of());
            if (!answer.hasWelcome()) {
                throw new IllegalStateException("login refused: " + answer);
            }
            return System.nanoTime() - t0;
        }
    }

    private static String stats(long[] nanos) {
        long[] s = nanos.clone();
        Arrays.sort(s);
        return String.format("%.2f / %.2f", s[s.length / 2] / 1e6, s[(int) (s.length * 0.9)] / 1e6);
    }
}
