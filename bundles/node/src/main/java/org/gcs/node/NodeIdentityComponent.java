package org.gcs.node;

import java.io.IOException;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import org.gcs.api.NodeId;
import org.gcs.api.node.NodeIdentity;
import org.gcs.internal.identity.StoredNodeIdentity;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;

/**
 * Publishes the node's {@link NodeIdentity} (key and certificate kept in the node's {@code state.dir}, created on first
 * start; see {@link StoredNodeIdentity} for what happens when a file is missing or unusable) as a service, so the node core and the routing bundle present the same identity to daemons and to other
 * nodes. Configured by the node's PID; {@link GcsNode.Config} documents {@code state.dir}.
 */
@Component(configurationPid = GcsNode.PID, configurationPolicy = ConfigurationPolicy.REQUIRE, service = NodeIdentity.class)
public final class NodeIdentityComponent implements NodeIdentity {
    private static final System.Logger LOG = System.getLogger(NodeIdentityComponent.class.getName());
    private StoredNodeIdentity stored;

    /** Fails, and with it the node, when the key cannot be used: a node must never go on under another identity. */
    @Activate
    void activate(GcsNode.Config config) throws IOException {
        try {
            stored = StoredNodeIdentity.loadOrCreate(Path.of(config.state_dir()));
        } catch (IOException e) {
            LOG.log(System.Logger.Level.ERROR, "the GCS node cannot start: " + e.getMessage());
            throw e;
        }
    }

    @Override
    public NodeId id() {
        return stored.id();
    }

    @Override
    public X509Certificate certificate() {
        return stored.certificate();
    }

    @Override
    public PrivateKey privateKey() {
        return stored.privateKey();
    }

    @Override
    public byte[] sign(byte[] data) {
        return stored.sign(data);
    }
}
