package org.gcs.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.gcs.api.DeviceId;
import org.gcs.api.UserId;
import org.gcs.api.auth.AuthProvider;
import org.gcs.api.auth.UserCredential;
import org.gcs.api.routing.NodeAddress;
import org.gcs.api.transport.P2PTransport;
import org.gcs.api.wire.NodeWire;
import org.gcs.api.wire.NodeWire.DevicesQuery;
import org.gcs.api.wire.NodeWire.NodeFrame;
import org.gcs.api.wire.NodeWire.NodeFrame.BodyCase;
import org.gcs.api.wire.NodeWire.Status;
import org.gcs.auth.bns.BnsAuthProvider;
import org.gcs.auth.bns.BnsCredentialStore;
import org.gcs.auth.pubkey.PubkeyAuthProvider;
import org.gcs.auth.pubkey.PubkeyCredentialStore;
import org.gcs.bns.registry.BnsRegistry;
import org.gcs.daemon.core.Daemon;
import org.gcs.daemon.core.DaemonSettings;
import org.gcs.daemon.core.DaemonSettings.Privacy;
import org.gcs.routing.central.CentralRouter;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A BNS user end to end on the real node over TLS: the real daemon with scheme {@code bns} (a wallet key imported into
 * its file) logs in to a node that checks ownership with the offline registry over HTTP, a {@code pk} friend reaches her
 * and a stranger does not (mode upload), and a key that does not own the name is refused at login.
 */
@Timeout(60)
class BnsLoginTest {
    private static final String WALLET_KEY = "edf9aee84d9b7abc145504dde6726c64f369d37ee34ded868fabd876c26570bc";
    private static final String WALLET_ADDRESS = "SPAW66WC3G8WA5F28JVNG1NTRJ6H76E7EN5H6QQD";
    private static final P2PTransport NO_TRANSPORT = (options, signals) -> {
        throw new UnsupportedOperationException("no P2P channels in this test");
    };

    @TempDir
    Path tmp;
    private BnsRegistry registry;
    private GcsNode node;
    private Daemon alice;
    private TestDaemon bob;
    private TestDaemon carol;
    private BnsAuthProvider bns;

    @AfterEach
    void stop() throws Exception {
        for (AutoCloseable c : new AutoCloseable[] {alice, bob, carol}) {
            if (c != null) {
                c.close();
            }
        }
        if (node != null) {
            node.deactivate();
        }
        if (bns != null) {
            bns.close();
        }
        registry.close();
    }

    private void start() throws Exception {
        start(Map.of(), Map.of());
    }

    /** @param bnsConfig and @param nodeConfig override the defaults of the provider and the node (by method name) */
    private void start(Map<String, Object> bnsConfig, Map<String, Object> nodeConfig) throws Exception {
        registry = BnsRegistry.start(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), null);
        Map<String, Object> c = new java.util.HashMap<>(bnsConfig);
        c.put("url", registry.url().toString());
        bns = BnsAuthProvider.standalone(c);
        node = new GcsNode();
        node.setRouter(new CentralRouter());
        node.addAuthProvider(new PubkeyAuthProvider(), Map.of(AuthProvider.SCHEME_PROPERTY, "pk", "service.id", 1L));
        node.addAuthProvider(bns, BNS_PROPERTIES);
        node.setIdentity(org.gcs.internal.identity.StoredNodeIdentity.loadOrCreate(tmp.resolve("node")));
        node.activate(TestConfigs.ephemeral(tmp.resolve("node"), nodeConfig));
    }

    private static final Map<String, Object> BNS_PROPERTIES = Map.of(AuthProvider.SCHEME_PROPERTY, "bns", "service.id", 2L);

    /** Alice's wallet key, imported into a file, as her credential (the store checks nothing: no provider given). */
    private UserCredential aliceCredential(String name) throws Exception {
        Path key = tmp.resolve("alice-test.key");
        if (Files.notExists(key)) {
            Files.writeString(key, WALLET_KEY + "\n");
            Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("rw-------"));
        }
        return new BnsCredentialStore().loadOrCreate(key, name);
    }

    private Daemon aliceDaemon(String name, UserId friend) throws Exception {
        Path home = tmp.resolve("alice");
        Files.createDirectories(home.resolve("state"));
        Path key = home.resolve("state/bns.key");
        Files.writeString(key, WALLET_KEY + "01\n");
        Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("rw-------"));
        Files.writeString(home.resolve("friends.txt"), friend + " Bob\n");
        DaemonSettings s = new DaemonSettings(List.of(new NodeAddress(node.nodeId(), "127.0.0.1", node.tlsPort())),
                DeviceId.of("laptop"), "bns", name, key, home.resolve("friends.txt"), Privacy.UPLOAD, false,
                org.gcs.daemon.app.ApiSettings.loopback(home.resolve("state"), 0), home.resolve("state"),
                Duration.ofSeconds(10), Duration.ofSeconds(10));
        Daemon d = new Daemon(s, new BnsCredentialStore(), NO_TRANSPORT);
        d.start();
        return d;
    }

    @Test
    void aBnsUserLogsInAndHerPkFriendReachesHerAndAStrangerDoesNot() throws Exception {
        start();
        registry.register("alice.id", WALLET_ADDRESS);
        PubkeyCredentialStore pk = new PubkeyCredentialStore();
        UserCredential bobKey = pk.loadOrCreate(tmp.resolve("bob.key"), null);
        UserCredential carolKey = pk.loadOrCreate(tmp.resolve("carol.key"), null);
        alice = aliceDaemon("Alice.id", bobKey.user());
        await(alice::nodeConnected, "Alice's BNS login");
        assertEquals(UserId.parse("bns:alice.id"), alice.user());

        bob = TestDaemon.connect(node.tlsPort(), node.nodeId());
        assertTrue(bob.login(bobKey, "phone", false, List.of()).hasWelcome());
        carol = TestDaemon.connect(node.tlsPort(), node.nodeId());
        assertTrue(carol.login(carolKey, "desk", false, List.of()).hasWelcome());
        assertEquals(Status.OK, devices(bob, "bns:ALICE.id"), "her pk friend finds her device, whatever the case");
        assertEquals(Status.UNKNOWN_USER, devices(carol, "bns:alice.id"), "a stranger does not");
        assertEquals(2L + 1L, node.stats().get("logins.ok"));
    }

    @Test
    void aKeyThatDoesNotOwnTheNameIsRefusedAtLogin() throws Exception {
        start();
        registry.register("alice.id", "SP2J6ZY48GV1EZ5V2V5RB9MP66SW86PYKKNRV9EJ7"); // someone else's
        alice = aliceDaemon("alice.id", UserId.parse("pk:nobody"));
        await(() -> node.stats().get("logins.failed") >= 1, "the refused login");
        assertFalse(alice.nodeConnected());
        assertEquals(0L, node.stats().get("logins.ok"));
    }

    @Test
    void aDaemonWhoseKeyDoesNotOwnItsNameDoesNotStartAndSaysWhoOwnsIt() throws Exception {
        start(Map.of("cache_ttl_seconds", 1), Map.of());
        registry.register("alice.id", "SP2J6ZY48GV1EZ5V2V5RB9MP66SW86PYKKNRV9EJ7");
        Path home = tmp.resolve("alice");
        Files.createDirectories(home.resolve("state"));
        Path key = home.resolve("state/bns.key");
        Files.writeString(key, WALLET_KEY + "\n");
        Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("rw-------"));
        DaemonSettings s = new DaemonSettings(List.of(new NodeAddress(node.nodeId(), "127.0.0.1", node.tlsPort())),
                DeviceId.of("laptop"), "bns", "alice.id", key, home.resolve("friends.txt"), Privacy.UPLOAD, false,
                org.gcs.daemon.app.ApiSettings.loopback(home.resolve("state"), 0), home.resolve("state"),
                Duration.ofSeconds(10), Duration.ofSeconds(10));
        Daemon d = new Daemon(s, new BnsCredentialStore(bns), NO_TRANSPORT);
        java.io.IOException e = org.junit.jupiter.api.Assertions.assertThrows(java.io.IOException.class, d::start);
        assertTrue(e.getMessage().contains("alice.id is owned by SP2J6ZY48GV1EZ5V2V5RB9MP66SW86PYKKNRV9EJ7, not by "
                + WALLET_ADDRESS), e.getMessage());
        assertTrue(e.getMessage().contains(key.toAbsolutePath().toString()), "names the key file: " + e.getMessage());
        assertEquals(0L, node.stats().get("logins.failed") + node.stats().get("logins.ok"), "it never tried the node");

        registry.transfer("alice.id", WALLET_ADDRESS); // hers now: once the cached answer expires the daemon starts
        Thread.sleep(1_200);
        alice = new Daemon(s, new BnsCredentialStore(bns), NO_TRANSPORT);
        alice.start();
        await(alice::nodeConnected, "Alice's login once her key owns the name");
    }

    @Test
    void aDaemonStartsWhenTheNameServiceIsDownAndTheNodeDecides() throws Exception {
        start();
        registry.register("alice.id", WALLET_ADDRESS);
        BnsAuthProvider unreachable = BnsAuthProvider.standalone(Map.of("url", "http://127.0.0.1:9", "lookup_timeout_ms", 500));
        java.util.concurrent.atomic.AtomicInteger asked = new java.util.concurrent.atomic.AtomicInteger();
        AuthProvider counting = new AuthProvider() { // the store must ask, and go on when the answer is "cannot tell"
            @Override
            public String scheme() {
                return "bns";
            }

            @Override
            public java.util.concurrent.CompletableFuture<Void> verify(UserId user, byte[] publicKey, byte[] message,
                    byte[] signature) {
                return unreachable.verify(user, publicKey, message, signature);
            }

            @Override
            public java.util.concurrent.CompletableFuture<Void> checkOwner(UserId user, byte[] publicKey) {
                asked.incrementAndGet();
                return unreachable.checkOwner(user, publicKey);
            }
        };
        try {
            Path key = tmp.resolve("k.key");
            Files.writeString(key, WALLET_KEY);
            Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("rw-------"));
            assertEquals(UserId.parse("bns:alice.id"), new BnsCredentialStore(counting).loadOrCreate(key, "alice.id").user());
            assertEquals(1, asked.get(), "the store asked the name service");
        } finally {
            unreachable.close();
        }
    }

    /**
     * The re-verification: a device stays logged in only while its key owns its name. The node asks again every
     * {@code reverify.seconds}; the provider looks the name up again once its cache entry expires.
     */
    @Test
    void aTransferredNameDisconnectsItsDeviceAtTheNextRecheckWithTheReason() throws Exception {
        start(Map.of("cache_ttl_seconds", 1), Map.of("reverify_seconds", 1));
        registry.register("alice.id", WALLET_ADDRESS);
        UserCredential aliceKey = aliceCredential("alice.id");
        PubkeyCredentialStore pk = new PubkeyCredentialStore();
        UserCredential bobKey = pk.loadOrCreate(tmp.resolve("bob.key"), null);
        bob = TestDaemon.connect(node.tlsPort(), node.nodeId());
        bob.loginOk(bobKey, "phone", List.of());
        try (TestDaemon a = TestDaemon.connect(node.tlsPort(), node.nodeId())) {
            a.loginOk(aliceKey, "laptop", List.of(bobKey.user().toString()));
            await(() -> node.stats().get("owners.rechecked") >= 2, "a recheck of both devices");
            assertEquals(0L, node.stats().get("owners.lost"), "nothing changed: both stay");
            assertEquals(Status.OK, devices(bob, "bns:alice.id"));

            registry.transfer("alice.id", "SP2J6ZY48GV1EZ5V2V5RB9MP66SW86PYKKNRV9EJ7");
            NodeFrame error = receiveSkippingPongs(a, Duration.ofSeconds(15)); // ttl 1 s + reverify 1 s, on a busy machine

            assertEquals(NodeWire.ErrorCode.AUTH_FAILED, error.getError().getCode());
            assertTrue(error.getError().getMessage().contains("alice.id is owned by SP2J6ZY48GV1EZ5V2V5RB9MP66SW86PYKKNRV9EJ7"),
                    error.getError().getMessage());
            a.assertClosedByNode();
        }
        assertTrue(node.stats().get("owners.lost") >= 1);
        await(() -> {
            try {
                return pingAndDevices(bob) == Status.UNKNOWN_USER; // her pk friend stays logged in; she is gone
            } catch (Exception e) {
                throw new AssertionError("Bob's session ended", e);
            }
        }, "Alice's session to end while Bob's stays");
        try (TestDaemon again = TestDaemon.connect(node.tlsPort(), node.nodeId())) {
            NodeFrame refused = again.login(aliceKey, "laptop", false, List.of());
            assertEquals(NodeWire.ErrorCode.AUTH_FAILED, refused.getError().getCode(), "and her key logs in no more");
        }
    }

    @Test
    void whileTheNameServiceIsDownLoggedInDevicesStayAndNewLoginsAreToldItIsUnavailable() throws Exception {
        start(Map.of("cache_ttl_seconds", 1, "lookup_timeout_ms", 500), Map.of("reverify_seconds", 1));
        registry.register("alice.id", WALLET_ADDRESS);
        UserCredential aliceKey = aliceCredential("alice.id");
        try (TestDaemon a = TestDaemon.connect(node.tlsPort(), node.nodeId())) {
            a.loginOk(aliceKey, "laptop", List.of());
            registry.close();
            long before = node.stats().get("owners.rechecked");
            await(() -> node.stats().get("owners.rechecked") >= before + 3, "three rechecks without a name service");
            assertEquals(0L, node.stats().get("owners.lost"));
            assertEquals(NodeFrame.BodyCase.PONG, a.pingBarrier(7).getBodyCase(), "Alice is still logged in");
            try (TestDaemon b = TestDaemon.connect(node.tlsPort(), node.nodeId())) {
                NodeFrame refused = b.login(aliceKey, "tablet", false, List.of());
                assertEquals(NodeWire.ErrorCode.UNAVAILABLE, refused.getError().getCode(), refused::toString);
                assertTrue(refused.getError().getMessage().contains("unreachable")
                        || refused.getError().getMessage().contains("failed"), refused.getError().getMessage());
            }
        }
    }

    /** The provider goes away (bundle stopped or being updated) and comes back; pk users never notice. */
    @Test
    void removingTheProviderTellsBnsDevicesWhyAndLeavesPkDevicesAlone() throws Exception {
        start();
        registry.register("alice.id", WALLET_ADDRESS);
        UserCredential aliceKey = aliceCredential("alice.id");
        UserCredential bobKey = new PubkeyCredentialStore().loadOrCreate(tmp.resolve("bob.key"), null);
        bob = TestDaemon.connect(node.tlsPort(), node.nodeId());
        bob.loginOk(bobKey, "phone", List.of());
        try (TestDaemon a = TestDaemon.connect(node.tlsPort(), node.nodeId())) {
            a.loginOk(aliceKey, "laptop", List.of(bobKey.user().toString()));
            assertEquals(Status.OK, pingAndDevices(bob));
            node.removeAuthProvider(bns, BNS_PROPERTIES);
            NodeFrame told = a.receive();
            assertEquals(NodeWire.ErrorCode.UNKNOWN_SCHEME, told.getError().getCode(), told::toString);
            assertTrue(told.getError().getMessage().contains("stopped verifying scheme bns"), told.getError().getMessage());
            a.assertClosedByNode();
        }
        try (TestDaemon gap = TestDaemon.connect(node.tlsPort(), node.nodeId())) {
            NodeFrame refused = gap.login(aliceKey, "laptop", false, List.of());
            assertEquals(NodeWire.ErrorCode.UNKNOWN_SCHEME, refused.getError().getCode(), "a BNS login in the gap");
        }
        assertEquals(Status.UNKNOWN_USER, pingAndDevices(bob), "Bob is still logged in (Alice is gone)");
        node.addAuthProvider(bns, BNS_PROPERTIES);
        try (TestDaemon back = TestDaemon.connect(node.tlsPort(), node.nodeId())) {
            back.loginOk(aliceKey, "laptop", List.of(bobKey.user().toString()));
            assertEquals(Status.OK, pingAndDevices(bob), "Alice is back");
        }
        assertEquals(1L, node.stats().get("sessions.closed.scheme.gone"));
    }

    private NodeFrame receiveSkippingPongs(TestDaemon who, Duration within) throws Exception {
        long deadline = System.nanoTime() + within.toNanos();
        while (System.nanoTime() < deadline) {
            NodeFrame f = who.receive();
            if (f.hasError()) {
                return f;
            }
        }
        throw new AssertionError("no Error within " + within);
    }

    private Status pingAndDevices(TestDaemon who) throws Exception {
        assertEquals(NodeFrame.BodyCase.PONG, who.pingBarrier(requestId).getBodyCase());
        return devices(who, "bns:alice.id");
    }

    private long requestId = 1;

    private Status devices(TestDaemon who, String user) throws Exception {
        long id = requestId++;
        who.send(NodeFrame.newBuilder().setDevicesQuery(DevicesQuery.newBuilder().setRequestId(id).setUserId(user))
                .build());
        NodeFrame answer = who.expect(BodyCase.DEVICES_ANSWER);
        return answer.getDevicesAnswer().getStatus();
    }

    private static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(50);
        }
    }
}
