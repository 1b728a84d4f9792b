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

class StoredNodeIdentityTest {
    @TempDir
    Path tmp;

    @Test
    void createsAnOwnerOnlyP256KeyOnceAndReusesIt() throws Exception {
        Path state = tmp.resolve("state");
        StoredNodeIdentity created = StoredNodeIdentity.loadOrCreate(state);
        StoredNodeIdentity loaded = StoredNodeIdentity.loadOrCreate(state);

        assertEquals(created.id(), loaded.id());
        assertEquals(NodeId.fromPublicKey(loaded.certificate().getPublicKey().getEncoded()), loaded.id());
        assertEquals("EC", loaded.certificate().getPublicKey().getAlgorithm());
        assertEquals("rw-------", PosixFilePermissions.toString(
                Files.getPosixFilePermissions(state.resolve(StoredNodeIdentity.KEY_FILE))));
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(state)));
    }

    @Test
    void refusesAKeyThatDoesNotMatchTheCertificate() throws Exception {
        Path first = tmp.resolve("first");
        Path second = tmp.resolve("second");
        StoredNodeIdentity.loadOrCreate(first);
        StoredNodeIdentity.loadOrCreate(second);
        Files.copy(second.resolve(StoredNodeIdentity.KEY_FILE), first.resolve(StoredNodeIdentity.KEY_FILE),
                java.nio.file.StandardCopyOption.REPLACE_EXISTING);

        assertThrows(IOException.class, () -> StoredNodeIdentity.loadOrCreate(first));
    }

    @Test
    void signaturesVerifyWithTheCertificateKeyAndOnlyForTheSignedBytes() throws Exception {
        StoredNodeIdentity identity = StoredNodeIdentity.loadOrCreate(tmp.resolve("signing"));
        byte[] data = "routed by this node".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        byte[] signature = identity.sign(data);

        java.security.Signature verifier = java.security.Signature.getInstance("SHA256withECDSA");
        verifier.initVerify(identity.certificate().getPublicKey());
        verifier.update(data);
        org.junit.jupiter.api.Assertions.assertTrue(verifier.verify(signature));
        data[0] ^= 1;
        verifier.initVerify(identity.certificate().getPublicKey());
        verifier.update(data);
        org.junit.jupiter.api.Assertions.assertFalse(verifier.verify(signature));
    }
}
