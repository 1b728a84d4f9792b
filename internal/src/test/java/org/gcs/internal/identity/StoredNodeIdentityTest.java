package org.gcs.internal.identity;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.Signature;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
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
        assertEquals("rw-------", mode(state.resolve(StoredNodeIdentity.KEY_FILE)));
        assertEquals("rwx------", mode(state));
    }

    @Test
    void refusesAKeyThatDoesNotMatchTheCertificate() throws Exception {
        Path first = tmp.resolve("first");
        Path second = tmp.resolve("second");
        StoredNodeIdentity.loadOrCreate(first);
        StoredNodeIdentity.loadOrCreate(second);
        Files.copy(second.resolve(StoredNodeIdentity.KEY_FILE), first.resolve(StoredNodeIdentity.KEY_FILE),
                StandardCopyOption.REPLACE_EXISTING);

        IOException e = assertThrows(IOException.class, () -> StoredNodeIdentity.loadOrCreate(first));
        assertTrue(e.getMessage().contains(first.resolve(StoredNodeIdentity.CERT_FILE).toString()), e.getMessage());
    }

    /** Regression: a lost certificate made a new key, so the node id changed and every daemon pinning it was locked out. */
    @Test
    void missingCertificateIsRebuiltFromTheKeyAndTheNodeIdStays() throws Exception {
        Path state = tmp.resolve("state");
        StoredNodeIdentity before = StoredNodeIdentity.loadOrCreate(state);
        Path keyFile = state.resolve(StoredNodeIdentity.KEY_FILE);
        byte[] key = Files.readAllBytes(keyFile);
        Files.delete(state.resolve(StoredNodeIdentity.CERT_FILE));

        StoredNodeIdentity after = StoredNodeIdentity.loadOrCreate(state);

        assertEquals(before.id(), after.id());
        assertArrayEquals(key, Files.readAllBytes(keyFile), "the key file is never rewritten");
        assertTrue(Files.exists(state.resolve(StoredNodeIdentity.CERT_FILE)));
        assertEquals(after.id(), StoredNodeIdentity.loadOrCreate(state).id(), "the rebuilt certificate is kept");
        assertVerifies(after, after.sign("still me".getBytes(StandardCharsets.UTF_8)));
    }

    /** A key file that cannot be parsed stops the node with the file's name; it is not a reason to make a new key. */
    @Test
    void unparseableKeyIsAnErrorNamingTheFileAndIsNeverReplaced() throws Exception {
        Path state = tmp.resolve("state");
        StoredNodeIdentity.loadOrCreate(state);
        Path keyFile = state.resolve(StoredNodeIdentity.KEY_FILE);
        Path certFile = state.resolve(StoredNodeIdentity.CERT_FILE);
        List<String> broken = List.of("", "not a key\n", "-----BEGIN PRIVATE KEY-----\n!!!!\n-----END PRIVATE KEY-----\n",
                "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n",
                "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n");
        for (String text : broken) {
            Files.writeString(keyFile, text, StandardCharsets.US_ASCII);
            Files.deleteIfExists(certFile);

            IOException e = assertThrows(IOException.class, () -> StoredNodeIdentity.loadOrCreate(state), text);

            assertTrue(e.getMessage().contains(keyFile.toString()), "names the key file: " + e.getMessage());
            assertEquals(text, Files.readString(keyFile, StandardCharsets.US_ASCII), "the key file is kept as it was");
            assertFalse(Files.exists(certFile), "no certificate is made for a key that cannot be read");
        }
    }

    /** As ssh does: a node key that group or others may read is refused, naming the file, its mode and the fix. */
    @Test
    void keyOthersCanAccessIsRefusedWithItsModeAndTheFix() throws Exception {
        Path state = tmp.resolve("state");
        NodeId id = StoredNodeIdentity.loadOrCreate(state).id();
        Path keyFile = state.resolve(StoredNodeIdentity.KEY_FILE);
        assumeTrue(Files.getFileStore(keyFile).supportsFileAttributeView("posix"), "POSIX permissions only");
        for (String open : List.of("rw-r--r--", "rw----r--", "rw--w----")) {
            Files.setPosixFilePermissions(keyFile, PosixFilePermissions.fromString(open));
            IOException e = assertThrows(IOException.class, () -> StoredNodeIdentity.loadOrCreate(state), open);
            assertTrue(e.getMessage().contains(keyFile.toString()), "names the file: " + e.getMessage());
            assertTrue(e.getMessage().contains(open), "names the mode: " + e.getMessage());
            assertTrue(e.getMessage().contains("chmod 600"), "says how to fix it: " + e.getMessage());
        }
        Files.setPosixFilePermissions(keyFile, PosixFilePermissions.fromString("rw-------"));
        assertEquals(id, StoredNodeIdentity.loadOrCreate(state).id(), "after chmod 600 the same identity loads");
    }

    /** Node starts racing on one empty state directory: one key is made and every racer ends with it. */
    @Test
    void racingStartsOnOneDirectoryAllEndWithTheIdentityOnDisk() throws Exception {
        int racers = 6;
        ExecutorService pool = Executors.newFixedThreadPool(racers);
        try {
            for (int round = 0; round < 15; round++) {
                Path state = tmp.resolve("race-" + round);
                CyclicBarrier start = new CyclicBarrier(racers);
                List<Future<StoredNodeIdentity>> results = new ArrayList<>();
                for (int i = 0; i < racers; i++) {
                    results.add(pool.submit(() -> {
                        start.await(10, TimeUnit.SECONDS);
                        return StoredNodeIdentity.loadOrCreate(state);
                    }));
                }
                List<NodeId> ids = new ArrayList<>();
                for (Future<StoredNodeIdentity> result : results) {
                    ids.add(result.get(30, TimeUnit.SECONDS).id());
                }
                NodeId onDisk = StoredNodeIdentity.loadOrCreate(state).id();
                for (NodeId id : ids) {
                    assertEquals(onDisk, id, "round " + round + ": a racer uses a key that is not on disk");
                }
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void signaturesVerifyWithTheCertificateKeyAndOnlyForTheSignedBytes() throws Exception {
        StoredNodeIdentity identity = StoredNodeIdentity.loadOrCreate(tmp.resolve("signing"));
        byte[] data = "routed by this node".getBytes(StandardCharsets.UTF_8);
        byte[] signature = identity.sign(data);

        assertVerifies(identity, signature, data);
        data[0] ^= 1;
        Signature verifier = Signature.getInstance("SHA256withECDSA");
        verifier.initVerify(identity.certificate().getPublicKey());
        verifier.update(data);
        assertFalse(verifier.verify(signature));
    }

    private static void assertVerifies(StoredNodeIdentity identity, byte[] signature) throws Exception {
        assertVerifies(identity, signature, "still me".getBytes(StandardCharsets.UTF_8));
    }

    private static void assertVerifies(StoredNodeIdentity identity, byte[] signature, byte[] data) throws Exception {
        Signature verifier = Signature.getInstance("SHA256withECDSA");
        verifier.initVerify(identity.certificate().getPublicKey());
        verifier.update(data);
        assertTrue(verifier.verify(signature));
    }

    private static String mode(Path path) throws IOException {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(path));
    }
}
