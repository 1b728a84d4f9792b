package org.gcs.node;

import com.google.protobuf.ByteString;
import java.io.IOException;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Map;
import org.gcs.api.auth.AuthProvider;
import org.gcs.auth.pubkey.PubkeyAuthProvider;
import org.gcs.routing.central.CentralRouter;

/** Real nodes for tests: the node component with the central router and Ed25519 logins, and fresh connection ids. */
final class TestNodes {
    private static final SecureRandom RANDOM = new SecureRandom();

    private TestNodes() {
    }

    /** An activated central node keeping its state in {@code stateDir}; {@code config} as in {@link TestConfigs}. */
    static GcsNode central(Path stateDir, Map<String, Object> config) throws IOException, InterruptedException {
        GcsNode node = new GcsNode();
        node.setRouter(new CentralRouter());
        node.addAuthProvider(new PubkeyAuthProvider(), Map.of(AuthProvider.SCHEME_PROPERTY, "pk", "service.id", 1L));
        node.setIdentity(org.gcs.internal.identity.StoredNodeIdentity.loadOrCreate(stateDir));
        node.activate(TestConfigs.ephemeral(stateDir, config));
        return node;
    }

    /** A random 16-byte connection id. */
    static ByteString connectionId() {
        byte[] id = new byte[16];
        RANDOM.nextBytes(id);
        return ByteString.copyFrom(id);
    }
}
