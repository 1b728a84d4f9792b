package org.gcs.node.state;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.gcs.api.NodeId;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NodeIdentityTest {
    @TempDir
    Path tmp;

    @Test
    void createsAnOwnerOnlyP256KeyOnceAndReusesIt() throws Exception {
        Path state = tmp.resolve("state");
        NodeIdentity created = NodeIdentity.loadOrCreate(state);
        NodeIdentity loaded = NodeIdentity.loadOrCreate(state);

        assertEquals(created.id(), loaded.id());
        assertEquals(NodeId.fromPublicKey(loaded.certificate().getPublicKey().getEncoded()), loaded.id());
        assertEquals("EC", loaded.certificate().getPublicKey().getAlgorithm());
        assertEquals("rw-------", PosixFilePermissions.toString(
                Files.getPosixFilePermissions(state.resolve(NodeIdentity.KEY_FILE))));
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(state)));
    }

    @Test
    void refusesAKeyThatDoesNotMatchTheCertificate() throws Exception {
        Path first = tmp.resolve("first");
        Path second = tmp.resolve("second");
        NodeIdentity.loadOrCreate(first);
        NodeIdentity.loadOrCreate(second);
        Files.copy(second.resolve(NodeIdentity.KEY_FILE), first.resolve(NodeIdentity.KEY_FILE),
                java.nio.file.StandardCopyOption.REPLACE_EXISTING);

        assertThrows(IOException.class, () -> NodeIdentity.loadOrCreate(first));
    }
}
