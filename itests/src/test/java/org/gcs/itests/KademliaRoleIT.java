package org.gcs.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;
import static org.ops4j.pax.exam.CoreOptions.composite;
import static org.ops4j.pax.exam.CoreOptions.junitBundles;
import static org.ops4j.pax.exam.CoreOptions.options;
import static org.ops4j.pax.exam.CoreOptions.systemProperty;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.Properties;
import java.util.function.Predicate;
import javax.inject.Inject;
import org.gcs.api.node.NodeIdentity;
import org.gcs.api.routing.Router;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceReference;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.service.component.runtime.ServiceComponentRuntime;
import org.osgi.service.component.runtime.dto.ComponentConfigurationDTO;
import org.osgi.service.component.runtime.dto.ComponentDescriptionDTO;

/**
 * The distributed role's bundle set ({@code kademlia.bndrun}) resolves on Felix and wires: configured through
 * ConfigAdmin, the node component is active with a {@code gcs.routing=kademlia} router, and that router joins the DHT
 * through a second node, a {@code kademlia.jar} process started by the test driver: each side's status file counts the
 * other as a DHT contact.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class KademliaRoleIT {
    private static final String SEED_LINK = "gcs.it.kademlia.seed.link";
    private static final String SEED_STATUS = "gcs.it.kademlia.seed.status";
    private static final long WAIT_MILLIS = 30_000;

    /** The in-framework node's state directory, configured once for all tests of this class. */
    private static Path state;

    @Inject
    BundleContext context;

    @Inject
    ConfigurationAdmin configAdmin;

    @Inject
    ServiceComponentRuntime scr;

    @Configuration
    public Option[] config() throws Exception {
        Properties seed = KademliaSeedOutsideFramework.ensureStarted();
        return options(junitBundles(),
                systemProperty(SEED_LINK).value(seed.getProperty("link.address")),
                systemProperty(SEED_STATUS).value(seed.getProperty("status.file")),
                composite(RoleBundles.options("kademlia")));
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
    public void theRoleHasTheKademliaRouterAndNoOther() {
        assertTrue("org.gcs.routing.kademlia installed", hasBundle("org.gcs.routing.kademlia"::equals));
        assertFalse("no other routing bundle", hasBundle(n -> n.startsWith("org.gcs.routing.") && !n.equals("org.gcs.routing.kademlia")));
    }

    @Test
    public void configuredNodeIsActiveWithTheKademliaRouter() throws Exception {
        Path dir = configureNode();
        Properties node = StateFiles.awaitProperties(dir.resolve("node.properties"));
        Collection<ServiceReference<Router>> routers = context.getServiceReferences(Router.class, "(gcs.routing=kademlia)");
        assertEquals("one kademlia router", 1, routers.size());
        assertEquals("every router is the kademlia one", 1, context.getServiceReferences(Router.class, null).size());
        assertEquals(ComponentConfigurationDTO.ACTIVE, componentState("org.gcs.node", "org.gcs.node.GcsNode"));
        assertEquals(ComponentConfigurationDTO.ACTIVE, componentState("org.gcs.routing.kademlia",
                "org.gcs.routing.kademlia.KademliaRouter"));
        ServiceReference<NodeIdentity> identity = context.getServiceReference(NodeIdentity.class);
        assertNotNull("NodeIdentity registered", identity);
        assertEquals(node.getProperty("node.id"), context.getService(identity).id().toString());
        Properties status = StateFiles.awaitProperties(dir.resolve("kademlia.properties"));
        assertEquals("router runs as the node", node.getProperty("node.id"), status.getProperty("node.id"));
        assertTrue("link listener bound", Integer.parseInt(status.getProperty("link.port")) > 0);
    }

    @Test
    public void routerJoinsTheNodeOutsideTheFramework() throws Exception {
        Path dir = configureNode();
        Properties node = StateFiles.awaitProperties(dir.resolve("node.properties"));
        Path seedStatus = Path.of(System.getProperty(SEED_STATUS));
        String seedId = System.getProperty(SEED_LINK).substring(System.getProperty(SEED_LINK).indexOf('#') + 1);

        Properties here = awaitStatus(dir.resolve("kademlia.properties"), "dht.contacts", 1);
        Properties there = awaitStatus(seedStatus, "dht.contacts", 1);
        assertEquals(node.getProperty("node.id"), here.getProperty("node.id"));
        assertEquals(seedId, there.getProperty("node.id"));
        assertTrue("links carried bytes here", Long.parseLong(here.getProperty("link.bytes.written")) > 0);
        assertTrue("links carried bytes there", Long.parseLong(there.getProperty("link.bytes.read")) > 0);
    }

    /**
     * Configures the router (first, so that it starts with this configuration once the node's identity exists) and
     * then the node, once per class; returns the node's state directory, which also holds the router's status file.
     */
    private synchronized Path configureNode() throws Exception {
        if (state != null) {
            return state;
        }
        Path dir = Files.createTempDirectory("gcs-kademlia-it");
        Dictionary<String, Object> router = new Hashtable<>();
        router.put("link.host", "127.0.0.1");
        router.put("link.port", 0);
        router.put("bootstrap", System.getProperty(SEED_LINK));
        router.put("group.limit.bucket", 0);
        router.put("group.limit.result", 0);
        router.put("status.file", dir.resolve("kademlia.properties").toString());
        configAdmin.getConfiguration("org.gcs.routing.kademlia", "?").update(router);

        Dictionary<String, Object> node = new Hashtable<>();
        node.put("host", "127.0.0.1");
        node.put("port", 0);
        node.put("stun.port", 0);
        node.put("state.dir", dir.toString());
        configAdmin.getConfiguration("org.gcs.node", "?").update(node);
        state = dir;
        return dir;
    }

    private boolean hasBundle(Predicate<String> name) {
        for (Bundle b : context.getBundles()) {
            if (name.test(b.getSymbolicName())) {
                return true;
            }
        }
        return false;
    }

    /** The state of the one configuration of component {@code name} in bundle {@code bsn}, -1 if there is none. */
    private int componentState(String bsn, String name) throws InterruptedException {
        Bundle bundle = null;
        for (Bundle b : context.getBundles()) {
            if (b.getSymbolicName().equals(bsn)) {
                bundle = b;
            }
        }
        assertNotNull(bsn + " installed", bundle);
        long deadline = System.currentTimeMillis() + WAIT_MILLIS;
        int state = -1;
        while (System.currentTimeMillis() < deadline) {
            ComponentDescriptionDTO description = scr.getComponentDescriptionDTO(bundle, name);
            assertNotNull("component " + name, description);
            state = -1;
            for (ComponentConfigurationDTO c : scr.getComponentConfigurationDTOs(description)) {
                state = c.state;
            }
            if (state == ComponentConfigurationDTO.ACTIVE) {
                return state;
            }
            Thread.sleep(50);
        }
        return state;
    }

    /** Waits until the status file shows {@code key} at least {@code min}, and returns it. */
    private static Properties awaitStatus(Path file, String key, long min) throws Exception {
        long deadline = System.currentTimeMillis() + WAIT_MILLIS;
        Properties last = new Properties();
        while (System.currentTimeMillis() < deadline) {
            if (Files.isRegularFile(file)) {
                Properties p = new Properties();
                try (InputStream in = Files.newInputStream(file)) {
                    p.load(in);
                }
                last = p;
                if (Long.parseLong(p.getProperty(key, "0").trim()) >= min) {
                    return p;
                }
            }
            Thread.sleep(100);
        }
        throw new AssertionError(file + ": " + key + " did not reach " + min + " within " + WAIT_MILLIS + " ms: " + last);
    }
}
