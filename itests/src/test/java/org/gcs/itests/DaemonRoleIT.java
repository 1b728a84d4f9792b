package org.gcs.itests;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;
import static org.ops4j.pax.exam.CoreOptions.composite;
import static org.ops4j.pax.exam.CoreOptions.junitBundles;
import static org.ops4j.pax.exam.CoreOptions.options;
import static org.ops4j.pax.exam.CoreOptions.systemProperty;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.List;
import java.util.Properties;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.inject.Inject;
import org.gcs.api.auth.CredentialStore;
import org.gcs.api.transport.ChannelType;
import org.gcs.api.transport.P2PChannel;
import org.gcs.api.transport.P2PTransport;
import org.gcs.api.transport.PathKind;
import org.gcs.api.transport.PeerSession;
import org.gcs.api.transport.Role;
import org.gcs.api.transport.SessionOptions;
import org.gcs.api.wire.AppWire;
import org.gcs.api.wire.AppWire.AppFrame;
import org.gcs.api.wire.Frames;
import org.gcs.api.wire.NodeWire;
import org.gcs.api.wire.WireVersions;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.service.cm.ConfigurationAdmin;

/**
 * The daemon role's bundle set resolves on Felix; inside the framework the ICE/QUIC transport (ice4j and the quiche
 * native library) moves bytes, and the daemon configured through ConfigAdmin logs in to a real node process and
 * answers applications.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class DaemonRoleIT {
    @Inject
    BundleContext context;

    @Inject
    CredentialStore credentials;

    @Inject
    ConfigurationAdmin configAdmin;

    @Configuration
    public Option[] config() throws Exception {
        Properties node = NodeOutsideFramework.ensureStarted();
        return options(junitBundles(),
                systemProperty("ice4j.harvest.mapping.aws.enabled").value("false"),
                systemProperty("gcs.it.node.id").value(node.getProperty("node.id")),
                systemProperty("gcs.it.node.port").value(node.getProperty("tls.port")),
                composite(RoleBundles.options("daemon")));
    }

    @Test
    public void everyBundleOfTheRoleIsActive() {
        for (Bundle b : context.getBundles()) {
            if (b.getHeaders().get("Fragment-Host") == null) {
                assertEquals(b.getSymbolicName() + " state", Bundle.ACTIVE, b.getState());
            }
        }
    }

    @Test
    public void transportMovesBytesInsideTheFramework() throws Exception {
        Dictionary<String, Object> ice = new Hashtable<>();
        ice.put("host.addresses", new String[] {"127.0.0.1"});
        configAdmin.getConfiguration("org.gcs.transport.ice", "?").update(ice);
        // component properties are service properties: wait for the transport activated with this configuration
        P2PTransport transport = awaitService(P2PTransport.class, "(host.addresses=127.0.0.1)");

        SessionOptions caller = new SessionOptions(Role.CONTROLLING, ChannelType.DATA, List.of(), Duration.ofSeconds(20));
        SessionOptions callee = new SessionOptions(Role.CONTROLLED, ChannelType.DATA, List.of(), Duration.ofSeconds(20));
        CompletableFuture<PeerSession> calleeRef = new CompletableFuture<>();
        CompletableFuture<PeerSession> callerRef = new CompletableFuture<>();
        PeerSession a = transport.newSession(caller, signal -> calleeRef.thenAccept(s -> s.remoteSignal(signal)));
        PeerSession b = transport.newSession(callee, signal -> callerRef.thenAccept(s -> s.remoteSignal(signal)));
        try {
            b.remoteDescription(a.localDescription().get(10, TimeUnit.SECONDS));
            a.remoteDescription(b.localDescription().get(10, TimeUnit.SECONDS));
            callerRef.complete(a);
            calleeRef.complete(b);
            P2PChannel out = a.channel().get(20, TimeUnit.SECONDS);
            P2PChannel in = b.channel().get(20, TimeUnit.SECONDS);
            assertEquals(PathKind.HOST, out.path());
            assertArrayEquals(out.channelBinding(), in.channelBinding());

            byte[] payload = new byte[1 << 20];
            new Random(7).nextBytes(payload);
            CompletableFuture<byte[]> received = CompletableFuture.supplyAsync(() -> {
                try {
                    return in.input().readAllBytes();
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            });
            try (OutputStream o = out.output()) {
                o.write(payload);
            }
            byte[] got = received.get(30, TimeUnit.SECONDS);
            assertArrayEquals(sha256(payload), sha256(got));
            out.close();
            in.close();
        } finally {
            a.close();
            b.close();
        }
    }

    @Test
    public void configuredDaemonLogsInAndAnswersApplications() throws Exception {
        Path home = Files.createTempDirectory("gcs-daemon-it");
        Files.writeString(home.resolve("friends.txt"), "# none\n");
        Dictionary<String, Object> props = new Hashtable<>();
        props.put("node.host", "127.0.0.1");
        props.put("node.port", Integer.parseInt(System.getProperty("gcs.it.node.port")));
        props.put("node.id", System.getProperty("gcs.it.node.id"));
        props.put("device", "laptop");
        props.put("key.file", home.resolve("user.key").toString());
        props.put("friends.file", home.resolve("friends.txt").toString());
        props.put("state.dir", home.resolve("state").toString());
        props.put("api.port", 0);
        configAdmin.getConfiguration("org.gcs.daemon", "?").update(props);

        String userId = awaitText(home.resolve("state/user-id"));
        int apiPort = Integer.parseInt(awaitText(home.resolve("state/api.port")));
        String cookie = Files.readString(home.resolve("state/api.cookie")).strip(); // written before api.port
        assertTrue(userId, userId.startsWith("pk:"));

        long deadline = System.currentTimeMillis() + 20_000;
        AppWire.AppWelcome welcome;
        do {
            welcome = hello(apiPort, cookie);
            if (welcome.getNodeConnected()) {
                break;
            }
            Thread.sleep(200);
        } while (System.currentTimeMillis() < deadline);
        assertTrue("daemon logged in to the node", welcome.getNodeConnected());
        assertEquals(userId, welcome.getUserId());
        assertEquals("laptop", welcome.getDeviceId());

        try (Socket app = new Socket("127.0.0.1", apiPort)) {
            app.setSoTimeout(10_000);
            OutputStream out = app.getOutputStream();
            InputStream in = app.getInputStream();
            Frames.write(out, AppFrame.newBuilder().setHello(AppWire.AppHello.newBuilder()
                    .setProtocolVersion(WireVersions.APP_PROTOCOL).setCookie(cookie)).build().toByteArray());
            assertTrue(read(in).hasWelcome());
            Frames.write(out, AppFrame.newBuilder().setGetAvailableDevices(AppWire.GetAvailableDevices.newBuilder()
                    .setRequestId(1).setUserId(userId)).build().toByteArray());
            AppWire.AvailableDevices devices = read(in).getAvailableDevices();
            assertEquals(1, devices.getRequestId());
            assertEquals(NodeWire.Status.OK, devices.getStatus());
            assertEquals(List.of("laptop"), devices.getDevicesList());
        }
    }

    private static AppWire.AppWelcome hello(int port, String cookie) throws Exception {
        try (Socket app = new Socket("127.0.0.1", port)) {
            app.setSoTimeout(10_000);
            Frames.write(app.getOutputStream(), AppFrame.newBuilder().setHello(AppWire.AppHello.newBuilder()
                    .setProtocolVersion(WireVersions.APP_PROTOCOL).setCookie(cookie)).build().toByteArray());
            AppFrame frame = read(app.getInputStream());
            assertTrue("welcome: " + frame, frame.hasWelcome());
            return frame.getWelcome();
        }
    }

    private static AppFrame read(InputStream in) throws Exception {
        byte[] bytes = Frames.read(in, WireVersions.MAX_FRAME_BYTES);
        assertNotNull("daemon closed the connection", bytes);
        return AppFrame.parseFrom(bytes);
    }

    private <T> T awaitService(Class<T> type, String filter) throws Exception {
        long deadline = System.currentTimeMillis() + 20_000;
        while (System.currentTimeMillis() < deadline) {
            var refs = context.getServiceReferences(type, filter);
            if (!refs.isEmpty()) {
                T service = context.getService(refs.iterator().next());
                if (service != null) {
                    return service;
                }
            }
            Thread.sleep(50);
        }
        throw new AssertionError("no " + type.getName() + " service");
    }

    private static String awaitText(Path file) throws Exception {
        long deadline = System.currentTimeMillis() + 30_000;
        while (System.currentTimeMillis() < deadline) {
            if (Files.isRegularFile(file)) {
                String text = Files.readString(file).trim();
                if (!text.isEmpty()) {
                    return text;
                }
            }
            Thread.sleep(50);
        }
        throw new AssertionError("daemon did not write " + file);
    }

    private static byte[] sha256(byte[] data) throws Exception {
        return MessageDigest.getInstance("SHA-256").digest(data);
    }
}
