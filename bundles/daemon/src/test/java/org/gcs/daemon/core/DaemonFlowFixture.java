package org.gcs.daemon.core;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.gcs.api.DeviceId;
import org.gcs.daemon.testing.FakeTransport;
import org.gcs.daemon.testing.TestCredentials;
import org.gcs.daemon.testing.TestNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the daemon flow tests share: a stand-in node over real TLS, an in-memory transport, test credentials, and
 * everything a test opened, closed newest first after it.
 */
abstract class DaemonFlowFixture {
    @TempDir
    Path dir;
    TestNode node;
    final FakeTransport transport = new FakeTransport();
    final TestCredentials.Store store = new TestCredentials.Store();
    final List<AutoCloseable> closeLater = new ArrayList<>();

    @BeforeEach
    void startNode() throws Exception {
        node = new TestNode();
    }

    @AfterEach
    void closeAll() throws Exception {
        for (int i = closeLater.size() - 1; i >= 0; i--) {
            closeLater.get(i).close();
        }
        node.close();
    }

    /** Settings of a daemon living in {@code dir/name}, logging in to the stand-in node. */
    DaemonSettings settings(String name, String device, DaemonSettings.Privacy privacy, boolean mutualAuth,
            Duration connectTimeout, Duration decisionTimeout) {
        Path home = dir.resolve(name);
        return new DaemonSettings("127.0.0.1", node.port(), node.nodeId(), DeviceId.of(device), "pk", "",
                home.resolve("state/user.key"), home.resolve("friends.txt"), privacy, mutualAuth, "127.0.0.1", 0,
                home.resolve("state"), connectTimeout, decisionTimeout);
    }
}
