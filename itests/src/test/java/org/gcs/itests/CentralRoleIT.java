package org.gcs.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotNull;
import static org.ops4j.pax.exam.CoreOptions.composite;
import static org.ops4j.pax.exam.CoreOptions.junitBundles;
import static org.ops4j.pax.exam.CoreOptions.options;
import static org.ops4j.pax.exam.CoreOptions.systemProperty;

import javax.inject.Inject;
import org.gcs.api.auth.AuthProvider;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;

/** The central role's bundle set resolves on Felix and its services are wired. */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class CentralRoleIT {
    @Inject
    BundleContext context;

    @Inject
    AuthProvider pubkey;

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
    public void pubkeyAuthProviderIsRegistered() {
        assertNotNull(pubkey);
        assertEquals("pk", pubkey.scheme());
    }
}
