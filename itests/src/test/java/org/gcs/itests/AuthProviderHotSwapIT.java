package org.gcs.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotEquals;
import static org.junit.Assert.assertTrue;
import static org.ops4j.pax.exam.CoreOptions.composite;
import static org.ops4j.pax.exam.CoreOptions.junitBundles;
import static org.ops4j.pax.exam.CoreOptions.options;
import static org.ops4j.pax.exam.CoreOptions.systemProperty;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.jar.JarEntry;
import java.util.jar.JarInputStream;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import javax.inject.Inject;
import org.gcs.api.auth.AuthProvider;
import org.gcs.api.auth.CredentialStore;
import org.gcs.api.auth.UserCredential;
import org.gcs.api.wire.NodeWire.ErrorCode;
import org.gcs.api.wire.NodeWire.NodeFrame;
import org.gcs.api.wire.NodeWire.Status;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;
import org.osgi.framework.ServiceReference;
import org.osgi.service.cm.ConfigurationAdmin;

/**
 * Hot swap of an authentication provider in a running central node, in the real framework with the central role's
 * bundles: the node starts with {@code auth-pubkey} only; the test installs {@code auth-bns} (its libraries are there),
 * logs a BNS user in, updates the bundle to a new version, stops it and starts it again. Two {@code pk} users stay
 * connected on the same TLS connections throughout and keep being served; the BNS user is told why each time her
 * scheme goes away, BNS logins in the gap get {@code UNKNOWN_SCHEME}, and she logs in again after each step. The
 * offline BNS registry answers over HTTP on loopback, started outside the framework.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class AuthProviderHotSwapIT {
    private static final String AUTH_BNS = "org.gcs.auth.bns";
    /** A wallet key from FACTS.md's vectors and the mainnet address it has. */
    private static final String WALLET_KEY = "edf9aee84d9b7abc145504dde6726c64f369d37ee34ded868fabd876c26570bc";
    private static final String WALLET_ADDRESS = "SPAW66WC3G8WA5F28JVNG1NTRJ6H76E7EN5H6QQD";

    @Inject
    BundleContext context;

    @Inject
    ConfigurationAdmin configAdmin;

    @Configuration
    public Option[] config() throws Exception {
        String registryUrl = TestRegistry.start("alice.id", WALLET_ADDRESS);
        return options(junitBundles(), systemProperty("ice4j.harvest.mapping.aws.enabled").value("false"),
                systemProperty("gcs.it.bns.url").value(registryUrl),
                systemProperty("gcs.it.auth.bns.jar").value(RoleBundles.jar(AUTH_BNS).toUri().toString()),
                composite(RoleBundles.options("central", Set.of(AUTH_BNS))));
    }

    @Test
    public void installLoginUpdateStopStartWhilePkUsersStayConnected() throws Exception {
        assertTrue("the node starts without auth-bns", bundle(AUTH_BNS) == null);
        Path state = Files.createTempDirectory("gcs-hotswap-it");
        Dictionary<String, Object> node = new Hashtable<>();
        node.put("host", "127.0.0.1");
        node.put("port", 0);
        node.put("stun.port", 0);
        node.put("state.dir", state.toString());
        configAdmin.getConfiguration("org.gcs.node", "?").update(node);
        Dictionary<String, Object> bnsConfig = new Hashtable<>();
        bnsConfig.put("url", System.getProperty("gcs.it.bns.url"));
        configAdmin.getConfiguration("org.gcs.auth.bns", "?").update(bnsConfig);
        Properties started = StateFiles.awaitProperties(state.resolve("node.properties"));
        String nodeId = started.getProperty("node.id");
        int port = Integer.parseInt(started.getProperty("tls.port"));

        CredentialStore pk = service(CredentialStore.class, "(gcs.auth.scheme=pk)");
        UserCredential bob = pk.loadOrCreate(state.resolve("bob.key"), null);
        UserCredential carol = pk.loadOrCreate(state.resolve("carol.key"), null);
        String alice = "bns:alice.id";
        try (NodeLogin bobSession = NodeLogin.connect(port, nodeId);
                NodeLogin carolSession = NodeLogin.connect(port, nodeId)) {
            bobSession.loginOk(bob, "phone", List.of(carol.user().toString(), alice));
            carolSession.loginOk(carol, "desk", List.of(bob.user().toString()));
            assertEquals(Status.OK, carolSession.devices(bob.user().toString()));

            // a node with auth-pubkey only: a BNS login is an unknown scheme
            UserCredential aliceKey;
            try (NodeLogin early = NodeLogin.connect(port, nodeId)) {
                aliceKey = bnsCredential(state, null);
                assertEquals(ErrorCode.UNKNOWN_SCHEME, early.login(aliceKey, "laptop", List.of()).getError().getCode());
            }

            // install
            Bundle bns = context.installBundle(System.getProperty("gcs.it.auth.bns.jar"));
            bns.start();
            CredentialStore bnsStore = service(CredentialStore.class, "(gcs.auth.scheme=bns)");
            aliceKey = bnsCredential(state, bnsStore);
            NodeLogin aliceSession = awaitLogin(port, nodeId, aliceKey, bob);
            assertEquals(Status.OK, bobSession.devices(alice));
            assertEquals(Status.OK, carolSession.devices(bob.user().toString()));

            // update to a new version: Alice is told, comes back; pk users never notice
            String before = bns.getVersion().toString();
            bns.update(withVersion(System.getProperty("gcs.it.auth.bns.jar"), "0.1.1.hotswap"));
            assertNotEquals(before, bns.getVersion().toString());
            assertEquals("0.1.1.hotswap", bns.getVersion().toString());
            assertToldSchemeGone(aliceSession);
            aliceSession = awaitLogin(port, nodeId, aliceKey, bob);
            assertEquals(Status.OK, bobSession.devices(alice));
            assertEquals(Status.OK, carolSession.devices(bob.user().toString()));

            // stop: Alice is told; a BNS login in the gap is an unknown scheme; pk users are served
            bns.stop();
            assertToldSchemeGone(aliceSession);
            try (NodeLogin gap = NodeLogin.connect(port, nodeId)) {
                assertEquals(ErrorCode.UNKNOWN_SCHEME, gap.login(aliceKey, "laptop", List.of()).getError().getCode());
            }
            assertEquals(Status.OK, carolSession.devices(bob.user().toString()));
            assertEquals(Status.UNKNOWN_USER, bobSession.devices(alice));

            // start again
            bns.start();
            aliceSession = awaitLogin(port, nodeId, aliceKey, bob);
            assertEquals(Status.OK, bobSession.devices(alice));
            assertEquals(Status.OK, carolSession.devices(bob.user().toString()));
            assertEquals(Status.OK, bobSession.devices(carol.user().toString()));
            aliceSession.close();
        }
    }

    /** Alice's imported wallet key and name; with {@code store} null, a stand-in that only says who she claims to be. */
    private static UserCredential bnsCredential(Path state, CredentialStore store) throws Exception {
        Path key = state.resolve("alice-bns.key");
        if (Files.notExists(key)) {
            Files.writeString(key, WALLET_KEY + "01\n");
            Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("rw-------"));
        }
        if (store != null) {
            return store.loadOrCreate(key, "alice.id");
        }
        return new UserCredential() { // no bns store is installed yet: the node refuses before any signature
            @Override
            public org.gcs.api.UserId user() {
                return org.gcs.api.UserId.parse("bns:alice.id");
            }

            @Override
            public byte[] publicKey() {
                return new byte[33];
            }

            @Override
            public byte[] sign(byte[] message) {
                return new byte[65];
            }
        };
    }

    private static NodeLogin awaitLogin(int port, String nodeId, UserCredential alice, UserCredential bob) throws Exception {
        long deadline = System.nanoTime() + 20_000_000_000L;
        NodeFrame last = null;
        while (System.nanoTime() < deadline) {
            NodeLogin session = NodeLogin.connect(port, nodeId);
            last = session.login(alice, "laptop", List.of(bob.user().toString()));
            if (last.hasWelcome()) {
                return session;
            }
            session.close();
            assertEquals("only an unknown scheme may delay her: " + last, ErrorCode.UNKNOWN_SCHEME,
                    last.getError().getCode());
            Thread.sleep(100);
        }
        throw new AssertionError("Alice did not log in again: " + last);
    }

    private static void assertToldSchemeGone(NodeLogin session) throws Exception {
        NodeFrame told = session.receive();
        assertEquals(told.toString(), ErrorCode.UNKNOWN_SCHEME, told.getError().getCode());
        assertTrue(told.getError().getMessage(), told.getError().getMessage().contains("stopped verifying scheme bns"));
        assertTrue("the node closes her connection", session.closedByNode());
        session.close();
    }

    /** The jar at {@code location} with its Bundle-Version replaced: a new version of the same bundle. */
    private static InputStream withVersion(String location, String version) throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (InputStream raw = new java.net.URL(location).openStream(); JarInputStream in = new JarInputStream(raw)) {
            Manifest manifest = new Manifest(in.getManifest());
            manifest.getMainAttributes().putValue(Constants.BUNDLE_VERSION, version);
            try (JarOutputStream out = new JarOutputStream(bytes, manifest)) {
                for (JarEntry e = in.getNextJarEntry(); e != null; e = in.getNextJarEntry()) {
                    out.putNextEntry(new JarEntry(e.getName()));
                    in.transferTo(out);
                    out.closeEntry();
                }
            }
        }
        return new ByteArrayInputStream(bytes.toByteArray());
    }

    private Bundle bundle(String symbolicName) {
        for (Bundle b : context.getBundles()) {
            if (symbolicName.equals(b.getSymbolicName())) {
                return b;
            }
        }
        return null;
    }

    private <T> T service(Class<T> type, String filter) throws Exception {
        long deadline = System.nanoTime() + 20_000_000_000L;
        while (System.nanoTime() < deadline) {
            var refs = context.getServiceReferences(type, filter);
            if (!refs.isEmpty()) {
                ServiceReference<T> ref = refs.iterator().next();
                return context.getService(ref);
            }
            Thread.sleep(50);
        }
        throw new AssertionError("no " + type.getSimpleName() + " " + filter + " within 20 s");
    }
}
