package org.gcs.internal.files;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AtomicFilesTest {
    @TempDir
    Path tmp;

    @Test
    void createIfAbsentNeverTouchesAnExistingFileAndLeavesNoTemporaryFiles() throws Exception {
        Path dir = AtomicFiles.createPrivateDirectory(tmp.resolve("a/b"));
        Path file = dir.resolve("key");

        assertTrue(AtomicFiles.createIfAbsent(file, bytes("first"), AtomicFiles.OWNER_ONLY));
        assertFalse(AtomicFiles.createIfAbsent(file, bytes("second"), AtomicFiles.OWNER_ONLY));

        assertEquals("first", Files.readString(file));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir)));
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.getParent())));
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(1, files.count(), "only the file itself is left");
        }
    }

    @Test
    void replaceSwapsTheWholeContentWithTheGivenPermissions() throws Exception {
        Path file = tmp.resolve("node-cert.pem");
        AtomicFiles.replace(file, bytes("one"), AtomicFiles.READABLE_BY_ALL);
        AtomicFiles.replace(file, bytes("two"), AtomicFiles.READABLE_BY_ALL);

        assertEquals("two", Files.readString(file));
        assertTrue(AtomicFiles.READABLE_BY_ALL.containsAll(Files.getPosixFilePermissions(file)),
                "at most rw-r--r-- (the umask may narrow it)");
        try (Stream<Path> files = Files.list(tmp)) {
            assertEquals(1, files.count(), "no temporary file is left");
        }
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
