package org.gcs.daemon.core;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;
import org.gcs.api.UserId;
import org.gcs.api.wire.AppWire;
import org.gcs.api.wire.AppWire.AppFrame;
import org.gcs.api.wire.NodeWire;
import org.gcs.api.wire.NodeWire.Status;
import org.gcs.api.DeviceId;
import org.gcs.daemon.app.ApiSettings;
import org.gcs.daemon.testing.FakeTransport;
import org.gcs.daemon.testing.TestApp;
import org.gcs.daemon.testing.TestCredentials;
import org.gcs.daemon.testing.TestNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the daemon flow tests share: a stand-in node over real TLS, an in-memory transport, test credentials, the
 * application-side helpers, and everything a test opened, closed newest first after it.
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
        return new DaemonSettings(
                List.of(new org.gcs.api.routing.NodeAddress(node.nodeId(), "127.0.0.1", node.port())), DeviceId.of(device), "pk", "",
                home.resolve("state/user.key"), home.resolve("friends.txt"), privacy, mutualAuth, ApiSettings.loopback(home.resolve("state"), 0),
                home.resolve("state"), connectTimeout, decisionTimeout);
    }

    static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long end = System.currentTimeMillis() + 10_000;
        while (!condition.getAsBoolean()) {
            if (System.currentTimeMillis() > end) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(20);
        }
    }

    /** An application connection to {@code d} that listens for {@code app} on {@code port}. */
    TestApp listen(Daemon d, String app, int port) throws Exception {
        TestApp control = TestApp.of(d);
        closeLater.add(control);
        control.hello();
        control.send(AppFrame.newBuilder().setListenIntent(AppWire.ListenIntent.newBuilder()
                .setRequestId(1).setApp(app).setPort(port)).build());
        assertEquals(Status.OK, control.read().getListenResult().getStatus());
        return control;
    }

    static AppFrame connect(UserId user, String device, String app, NodeWire.ChannelType type, long requestId) {
        return AppFrame.newBuilder().setConnect(AppWire.ConnectApp.newBuilder().setRequestId(requestId)
                .setUserId(user.toString()).setDeviceId(device).setApp(app).setFromApp("chat").setType(type)).build();
    }

    /** A loopback server socket (the application's listening port), closed after the test. */
    ServerSocket serverSocket() throws Exception {
        ServerSocket ss = new ServerSocket(0, 10, java.net.InetAddress.getLoopbackAddress());
        ss.setSoTimeout(10_000);
        closeLater.add(ss);
        return ss;
    }
}
