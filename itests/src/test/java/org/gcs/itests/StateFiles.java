package org.gcs.itests;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;

/** Reading what a role writes to its state directory once it is up. */
final class StateFiles {
    private StateFiles() {
    }

    /** Waits (at most 30 s) until {@code file} exists with content, and reads it as properties. */
    static Properties awaitProperties(Path file) throws Exception {
        long deadline = System.currentTimeMillis() + 30_000;
        while (System.currentTimeMillis() < deadline) {
            if (Files.isRegularFile(file) && Files.size(file) > 0) {
                Properties p = new Properties();
                try (InputStream in = Files.newInputStream(file)) {
                    p.load(in);
                }
                return p;
            }
            Thread.sleep(50);
        }
        throw new AssertionError("role did not start: no " + file);
    }
}
