package org.gcs.auth.bns;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HexFormat;
import org.gcs.api.UserId;
import org.gcs.api.auth.UserCredential;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The daemon's BNS key file: imported, never made; owner-only; as wallets export keys. */
class BnsCredentialStoreTest {
    private static final String KEY = "edf9aee84d9b7abc145504dde6726c64f369d37ee34ded868fabd876c26570bc";
    private final BnsCredentialStore store = new BnsCredentialStore();
    @TempDir
    Path dir;

    private Path keyFile(String content, String mode) throws IOException {
        Path f = dir.resolve("bns.key");
        Files.writeString(f, content, StandardCharsets.US_ASCII);
        Files.setPosixFilePermissions(f, PosixFilePermissions.fromString(mode));
        return f;
    }

    @Test
    void anImportedKeySignsStacksMessagesAsTheNamedUser() throws Exception {
        for (String content : new String[] {KEY + "\n", KEY + "01", "  " + KEY.toUpperCase() + "01\r\n"}) {
            UserCredential c = store.loadOrCreate(keyFile(content, "rw-------"), "Alice.ID");
            assertEquals(UserId.parse("bns:alice.id"), c.user());
            assertEquals("03ef788b3830c00abe8f64f62dc32fc863bc0b2cafeb073b6c8e1c7657d9c2c3ab",
                    HexFormat.of().formatHex(c.publicKey()));
            byte[] message = "transcript".getBytes(StandardCharsets.UTF_8);
            assertArrayEquals(c.publicKey(), Secp256k1.recover(StacksMessage.hash(message), c.sign(message)));
            assertEquals("SPAW66WC3G8WA5F28JVNG1NTRJ6H76E7EN5H6QQD",
                    ((BnsCredentialStore.BnsCredential) c).address(true).toString());
        }
    }

    @Test
    void noKeyIsMadeAndEveryRefusalSaysWhatToDo() throws Exception {
        IOException missing = assertThrows(IOException.class, () -> store.loadOrCreate(dir.resolve("none.key"), "alice.id"));
        assertTrue(missing.getMessage().contains("cannot make"), missing.getMessage());
        assertTrue(Files.notExists(dir.resolve("none.key")), "nothing was created");
        IOException open = assertThrows(IOException.class, () -> store.loadOrCreate(keyFile(KEY, "rw-r--r--"), "alice.id"));
        assertTrue(open.getMessage().contains("chmod 600"), open.getMessage());
        assertThrows(IOException.class, () -> store.loadOrCreate(keyFile("not hex at all", "rw-------"), "alice.id"));
        assertThrows(IOException.class, () -> store.loadOrCreate(keyFile(KEY.substring(2), "rw-------"), "alice.id"));
        assertThrows(IOException.class, () -> store.loadOrCreate(keyFile("00".repeat(32), "rw-------"), "alice.id"),
                "zero is no key");
        IOException noName = assertThrows(IOException.class, () -> store.loadOrCreate(keyFile(KEY, "rw-------"), null));
        assertTrue(noName.getMessage().contains("auth.name"), noName.getMessage());
        IOException sub = assertThrows(IOException.class, () -> store.loadOrCreate(keyFile(KEY, "rw-------"), "a.b.id"));
        assertTrue(sub.getMessage().contains("subdomain"), sub.getMessage());
    }
}
