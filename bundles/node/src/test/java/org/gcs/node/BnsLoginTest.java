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
        registry = BnsRegistry.start(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), null);
        bns = BnsAuthProvider.standalone(Map.of("url", registry.url().toString()));
        node = new GcsNode();
        node.setRouter(new CentralRouter());
        node.addAuthProvider(new PubkeyAuthProvider(), Map.of(AuthProvider.SCHEME_PROPERTY, "pk", "service.id", 1L));
        node.addAuthProvider(bns, Map.of(AuthProvider.SCHEME_PROPERTY, "bns", "service.id", 2L));
        node.setIdentity(org.gcs.node.state.StoredNodeIdentity.loadOrCreate(tmp.resolve("node")));
        node.activate(TestConfigs.ephemeral(tmp.resolve("node"), Map.of()));
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
