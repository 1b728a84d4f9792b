package org.gcs.daemon.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.time.Duration;
import org.gcs.api.wire.AppWire;
import org.gcs.api.wire.NodeWire;
import org.gcs.api.wire.NodeWire.NodeFrame;
import org.gcs.api.wire.NodeWire.Status;
import org.gcs.daemon.core.DaemonSettings.Privacy;
import org.gcs.daemon.testing.TestApp;
import org.gcs.daemon.testing.TestCredentials;
import org.junit.jupiter.api.Test;

/** A daemon that another daemon of the same user and device replaced tells its applications why it is offline. */
class ReplacedDaemonTest extends DaemonFlowFixture {
    @Test
    void applicationsAreToldThatAnotherDaemonTookTheUserAndDevice() throws Exception {
        Files.createDirectories(dir.resolve("alice"));
        Daemon alice = new Daemon(settings("alice", "laptop", Privacy.UPLOAD, false, Duration.ofSeconds(5),
                Duration.ofSeconds(5)), store, transport, scheme -> "pk".equals(scheme) ? TestCredentials.authProvider() : null);
        alice.start();
        closeLater.add(alice);
        await(alice::nodeConnected, "alice's login");

        node.sendTo(alice.user(), "laptop", NodeFrame.newBuilder().setError(NodeWire.Error.newBuilder()
                .setCode(NodeWire.ErrorCode.REPLACED).setMessage("the same user and device logged in again")).build());
        await(() -> !alice.nodeConnected(), "alice's daemon stepping back");

        TestApp app = TestApp.of(alice);
        closeLater.add(app);
        app.hello();
        app.send(connect(TestCredentials.newCredential().user(), "phone", "chat", NodeWire.ChannelType.DATA, 1));
        AppWire.OutgoingConnectionRequestResult r = app.read().getOutgoingResult();
        assertEquals(Status.FAILED, r.getStatus());
        assertTrue(r.getMessage().contains("another daemon logged in as " + alice.user()), r.getMessage());
    }
}
