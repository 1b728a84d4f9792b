package org.gcs.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.gcs.api.DeviceId;
import org.gcs.api.UserId;
import org.gcs.api.auth.UserCredential;
import org.gcs.api.routing.NodeAddress;
import org.gcs.api.transport.P2PTransport;
import org.gcs.api.wire.NodeWire.DevicesQuery;
import org.gcs.api.wire.NodeWire.NodeFrame;
import org.gcs.api.wire.NodeWire.NodeFrame.BodyCase;
import org.gcs.api.wire.NodeWire.Status;
import org.gcs.auth.pubkey.PubkeyCredentialStore;
import org.gcs.daemon.core.Daemon;
import org.gcs.daemon.core.DaemonSettings;
import org.gcs.daemon.core.DaemonSettings.Privacy;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The real daemon with a 10,000-friend file against the real node: it logs in once and stays logged in, in every
 * privacy mode, and the node filters by the whole list where it is uploaded. Before, the list's one Authenticate frame
 * passed the 64 KiB frame limit and the daemon reconnected forever.
 */
class DaemonWithManyFriendsTest {
    private static final int FRIENDS = 10_000;
    /** The daemon never opens a channel here. */
    private static final P2PTransport NO_TRANSPORT = (options, signals) -> {
        throw new UnsupportedOperationException("no P2P channels in this test");
    };

    @TempDir
    Path tmp;

    private GcsNode node;
    private Daemon daemon;
    private final List<TestDaemon> others = new ArrayList<>();
    private UserCredential bob;
    private UserCredential carol;
    private UserCredential dave;

    @BeforeEach
    void startNode() throws Exception {
        PubkeyCredentialStore store = new PubkeyCredentialStore();
        bob = store.loadOrCreate(tmp.resolve("bob.key"), null);
        carol = store.loadOrCreate(tmp.resolve("carol.key"), null);
        dave = store.loadOrCreate(tmp.resolve("dave.key"), null);
        Path stateDir = tmp.resolve("node");
        node = TestNodes.central(stateDir, Map.of());
    }

    @AfterEach
    void stop() throws IOException {
        if (daemon != null) {
            daemon.close();
        }
        for (TestDaemon other : others) {
            other.close();
        }
        node.deactivate();
    }

    @ParameterizedTest
    @EnumSource(Privacy.class)
    void daemonWithTenThousandFriendsLogsInOnceAndStaysLoggedIn(Privacy privacy) throws Exception {
        Path home = tmp.resolve("alice");
        Files.createDirectories(home);
        writeFriends(home.resolve("friends.txt"), bob.user());
        DaemonSettings settings = settings(home, privacy);
        daemon = new Daemon(settings, new PubkeyCredentialStore(), NO_TRANSPORT);
        daemon.start();
        await(daemon::nodeConnected, "the daemon's login");
        assertEquals(FRIENDS, daemon.friendsList().size());
        UserId alice = daemon.user();

        TestDaemon bobDaemon = other(bob, "phone");
        TestDaemon carolDaemon = other(carol, "desk");
        boolean upload = privacy == Privacy.UPLOAD;
        assertEquals(Status.OK, devices(bobDaemon, 1, alice), "the last friend of the file gets through");
        assertEquals(upload ? Status.UNKNOWN_USER : Status.OK, devices(carolDaemon, 2, alice),
                upload ? "the node refuses a stranger (as if she were offline)" : "the node does not filter: the daemon refuses strangers itself");

        if (upload) {
            // the file grows by one friend at its end: the node gets the whole new list without a new login
            writeFriends(home.resolve("friends.txt"), bob.user(), dave.user());
            daemon.checkFriends();
            TestDaemon daveDaemon = other(dave, "tablet");
            await(() -> devicesOrFailed(daveDaemon, alice) == Status.OK, "the update reaching the node");
            assertEquals(Status.OK, devices(bobDaemon, 3, alice));
        } else {
            // switching to upload sends the long list as an update, without a new login
            daemon.reconfigure(new DaemonSettings(settings.bootstrap(), settings.device(), settings.scheme(),
                    settings.name(), settings.keyFile(), settings.friendsFile(), Privacy.UPLOAD, false, settings.api(),
                    settings.stateDir(), settings.connectTimeout(), settings.decisionTimeout()));
            await(() -> devicesOrFailed(carolDaemon, alice) == Status.UNKNOWN_USER, "the upload reaching the node");
            assertEquals(Status.OK, devices(bobDaemon, 3, alice));
        }

        Thread.sleep(2_000); // a daemon that cannot stay logged in has reconnected by now
        assertTrue(daemon.nodeConnected());
        long loggedIn = 1 + others.size();
        assertEquals(loggedIn, node.stats().get("logins.ok"), "the daemon logged in once");
        assertEquals(0L, node.stats().get("logins.failed"));
        assertEquals(loggedIn, node.stats().get("sessions.current"));
    }

    private DaemonSettings settings(Path home, Privacy privacy) {
        return new DaemonSettings(List.of(new NodeAddress(node.nodeId(), "127.0.0.1", node.tlsPort())),
                DeviceId.of("laptop"), "pk", "", home.resolve("state/user.key"), home.resolve("friends.txt"), privacy,
                false, org.gcs.daemon.app.ApiSettings.loopback(home.resolve("state"), 0), home.resolve("state"),
                Duration.ofSeconds(10), Duration.ofSeconds(10));
    }

    /** {@value #FRIENDS} friends with user ids of 60 characters, the given ones last. */
    private static void writeFriends(Path file, UserId... last) throws IOException {
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < FRIENDS - 1; i++) {
            text.append(ChunkedFriendsListTest.sixtyCharacterId(i)).append(" Friend ").append(i).append('\n');
        }
        for (UserId user : last) {
            text.append(user).append(" Last\n");
        }
        Path tmpFile = file.resolveSibling(file.getFileName() + ".tmp");
        Files.writeString(tmpFile, text, StandardCharsets.UTF_8);
        Files.move(tmpFile, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }

    private TestDaemon other(UserCredential who, String device) throws Exception {
        TestDaemon d = TestDaemon.connect(node.tlsPort(), node.nodeId());
        others.add(d);
        assertTrue(d.login(who, device, false, List.of()).hasWelcome());
        return d;
    }

    private long requests = 100;

    private Status devices(TestDaemon asker, long requestId, UserId user) throws IOException {
        asker.send(NodeFrame.newBuilder().setDevicesQuery(DevicesQuery.newBuilder()
                .setRequestId(requestId).setUserId(user.toString())).build());
        NodeFrame answer = asker.expect(BodyCase.DEVICES_ANSWER);
        assertEquals(requestId, answer.getDevicesAnswer().getRequestId());
        return answer.getDevicesAnswer().getStatus();
    }

    private Status devicesOrFailed(TestDaemon asker, UserId user) {
        try {
            return devices(asker, ++requests, user);
        } catch (IOException e) {
            return Status.FAILED;
        }
    }

    private static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long end = System.currentTimeMillis() + 15_000;
        while (!condition.getAsBoolean()) {
            if (System.currentTimeMillis() > end) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(50);
        }
    }
}
