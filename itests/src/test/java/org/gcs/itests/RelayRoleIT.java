package org.gcs.itests;

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
import java.util.Hashtable;
import java.util.Properties;
import javax.inject.Inject;
import javax.net.ssl.SSLSocket;
import org.gcs.api.wire.Frames;
import org.gcs.api.wire.RelayWire.Forward;
import org.gcs.api.wire.RelayWire.ForwardKind;
import org.gcs.api.wire.RelayWire.Register;
import org.gcs.api.wire.RelayWire.RelayErrorCode;
import org.gcs.api.wire.RelayWire.RelayFrame;
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
 * The baseline relay role's bundle set resolves on Felix, and the relay configured through ConfigAdmin serves real TLS
 * clients: two register, one's forward reaches the other from its id, a forward to nobody is answered with an error.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class RelayRoleIT {
    @Inject
    BundleContext context;

    @Inject
    ConfigurationAdmin configAdmin;

    @Configuration
    public Option[] config() {
        return options(junitBundles(), systemProperty("ice4j.harvest.mapping.aws.enabled").value("false"),
                composite(RoleBundles.options("relay")));
    }

    @Test
    public void everyBundleOfTheRoleIsActiveAndNoNodeOrDaemonIsInIt() {
        for (Bundle b : context.getBundles()) {
            if (b.getHeaders().get("Fragment-Host") == null) {
                assertEquals(b.getSymbolicName() + " state", Bundle.ACTIVE, b.getState());
            }
            String name = String.valueOf(b.getSymbolicName());
            assertTrue(name + " in the relay role", !name.equals("org.gcs.node") && !name.equals("org.gcs.daemon")
                    && !name.startsWith("org.gcs.auth") && !name.startsWith("org.gcs.routing"));
        }
    }

    @Test
    public void configuredRelayForwardsBetweenRegisteredClients() throws Exception {
        Path state = Files.createTempDirectory("gcs-relay-it");
        Dictionary<String, Object> props = new Hashtable<>();
        props.put("host", "127.0.0.1");
        props.put("port", 0);
        props.put("stun.port", 0);
        props.put("state.dir", state.toString());
        configAdmin.getConfiguration("org.gcs.relay", "?").update(props);
        Properties relay = StateFiles.awaitProperties(state.resolve("relay.properties"));
        String relayId = relay.getProperty("relay.id");
        int port = Integer.parseInt(relay.getProperty("tls.port"));

        try (SSLSocket alice = PinnedTls.connect("127.0.0.1", port, relayId);
                SSLSocket bob = PinnedTls.connect("127.0.0.1", port, relayId)) {
            assertTrue(register(alice, "alice").hasRegistered());
            assertTrue(register(bob, "bob").hasRegistered());
            send(alice, RelayFrame.newBuilder().setForward(Forward.newBuilder().setPeer("bob").setKind(ForwardKind.OFFER)
                    .setConnectionId(ByteString.copyFromUtf8("0123456789abcdef"))
                    .setPayload(ByteString.copyFromUtf8("an offer"))).build());
            Forward got = receive(bob).getForward();
            assertEquals("alice", got.getPeer());
            assertEquals("an offer", got.getPayload().toStringUtf8());
            send(bob, RelayFrame.newBuilder().setForward(Forward.newBuilder().setPeer("carol").setKind(ForwardKind.OFFER)
                    .setConnectionId(ByteString.copyFromUtf8("fedcba9876543210"))).build());
            assertEquals(RelayErrorCode.RELAY_UNKNOWN_PEER, receive(bob).getError().getCode());
        }
    }

    private static RelayFrame register(SSLSocket socket, String id) throws Exception {
        send(socket, RelayFrame.newBuilder().setRegister(Register.newBuilder()
                .setProtocolVersion(WireVersions.RELAY_PROTOCOL).setId(id)).build());
        return receive(socket);
    }

    private static void send(SSLSocket socket, RelayFrame frame) throws Exception {
        OutputStream out = socket.getOutputStream();
        Frames.write(out, frame.toByteArray());
    }

    private static RelayFrame receive(SSLSocket socket) throws Exception {
        InputStream in = socket.getInputStream();
        byte[] bytes = Frames.read(in, WireVersions.MAX_FRAME_BYTES);
        assertNotNull("relay closed the connection", bytes);
        return RelayFrame.parseFrom(bytes);
    }
}
