package org.gcs.itests;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;
import static org.ops4j.pax.exam.CoreOptions.composite;
import static org.ops4j.pax.exam.CoreOptions.junitBundles;
import static org.ops4j.pax.exam.CoreOptions.options;
import static org.ops4j.pax.exam.CoreOptions.systemProperty;

import com.google.protobuf.ByteString;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Dictionary;
import java.util.HexFormat;
import java.util.Hashtable;
import java.util.Properties;
import javax.inject.Inject;
import javax.net.ssl.SSLSocket;
import org.gcs.api.DeviceId;
import org.gcs.api.NodeId;
import org.gcs.api.auth.AuthProvider;
import org.gcs.api.auth.AuthTranscript;
import org.gcs.api.auth.CredentialStore;
import org.gcs.api.auth.UserCredential;
import org.gcs.api.routing.Router;
import org.gcs.api.wire.Frames;
import org.gcs.api.wire.NodeWire;
import org.gcs.api.wire.NodeWire.NodeFrame;
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
 * The central role's bundle set resolves on Felix, its services are wired, and the node configured through
 * ConfigAdmin serves a real TLS login by a {@code pk} user.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class CentralRoleIT {
    @Inject
    BundleContext context;

    @Inject
    AuthProvider pubkey;

    @Inject
    CredentialStore credentials;

    @Inject
    Router router;

    @Inject
    ConfigurationAdmin configAdmin;

    @Configuration
    public Option[] config() {
        return options(junitBundles(), systemProperty("ice4j.harvest.mapping.aws.enabled").value("false"),
                composite(RoleBundles.options("central")));
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
    public void servicesOfTheRoleAreWired() {
        assertEquals("pk", pubkey.scheme());
        assertNotNull(router);
        assertNotNull(credentials);
    }

    @Test
    public void configuredNodeAcceptsALoginAndRejectsABadSignature() throws Exception {
        Path state = Files.createTempDirectory("gcs-central-it");
        Dictionary<String, Object> props = new Hashtable<>();
        props.put("host", "127.0.0.1");
        props.put("port", 0);
        props.put("stun.port", 0);
        props.put("state.dir", state.toString());
        configAdmin.getConfiguration("org.gcs.node", "?").update(props);

        Properties node = StateFiles.awaitProperties(state.resolve("node.properties"));
        String nodeId = node.getProperty("node.id");
        int port = Integer.parseInt(node.getProperty("tls.port"));
        UserCredential alice = credentials.loadOrCreate(state.resolve("alice.key"), null);

        NodeFrame welcome = login(port, nodeId, alice, false);
        assertTrue("welcome: " + welcome, welcome.hasWelcome());
        assertArrayEquals(HexFormat.of().parseHex(nodeId), welcome.getWelcome().getNodeId().toByteArray());
        assertTrue("STUN server advertised", welcome.getWelcome().getIceServersCount() > 0);

        NodeFrame refused = login(port, nodeId, alice, true);
        assertEquals(NodeWire.ErrorCode.AUTH_FAILED, refused.getError().getCode());

        assertTrue("node still serves after a bad login", login(port, nodeId, alice, false).hasWelcome());
    }

    private static NodeFrame login(int port, String nodeId, UserCredential user, boolean corruptSignature) throws Exception {
        try (SSLSocket socket = PinnedTls.connect("127.0.0.1", port, nodeId)) {
            OutputStream out = socket.getOutputStream();
            InputStream in = socket.getInputStream();
            DeviceId device = DeviceId.of("laptop");
            send(out, NodeFrame.newBuilder().setHello(NodeWire.Hello.newBuilder()
                    .setProtocolVersion(WireVersions.NODE_PROTOCOL).setUserId(user.user().toString())
                    .setDeviceId(device.name()).setPublicKey(ByteString.copyFrom(user.publicKey()))).build());
            NodeWire.Challenge challenge = receive(in).getChallenge();
            byte[] signature = user.sign(AuthTranscript.nodeLogin(NodeId.of(challenge.getNodeId().toByteArray()),
                    challenge.getNonce().toByteArray(), user.user(), device));
            if (corruptSignature) {
                signature[0] ^= 1;
            }
            send(out, NodeFrame.newBuilder().setAuthenticate(
                    NodeWire.Authenticate.newBuilder().setSignature(ByteString.copyFrom(signature))).build());
            return receive(in);
        }
    }

    private static void send(OutputStream out, NodeFrame frame) throws Exception {
        Frames.write(out, frame.toByteArray());
    }

    private static NodeFrame receive(InputStream in) throws Exception {
        byte[] bytes = Frames.read(in, WireVersions.MAX_FRAME_BYTES);
        assertNotNull("node closed the connection", bytes);
        return NodeFrame.parseFrom(bytes);
    }
}
