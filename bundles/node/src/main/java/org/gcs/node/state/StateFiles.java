package org.gcs.node.state;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;

/**
 * Writes the small files scripts and tests read from a node's state directory: {@code node-id} (hex),
 * {@code node.properties} (id and actual ports) and {@code stats.properties}. Each file is replaced atomically, so a
 * reader never sees half a file.
 */
public final class StateFiles {
    public static final String NODE_ID = "node-id";
    public static final String NODE_PROPERTIES = "node.properties";
    public static final String STATS_PROPERTIES = "stats.properties";

    private final Path dir;

    public StateFiles(Path dir) {
        this.dir = dir;
    }

    public Path dir() {
        return dir;
    }

    /** Creates the directory, readable by its owner only, if it does not exist. */
    public static Path createPrivateDirectory(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            Files.createDirectories(dir);
            setPermissions(dir, "rwx------");
        }
        return dir;
    }

    public void writeNodeId(String hex) {
        write(NODE_ID, hex + "\n");
    }

    public void writeNodeProperties(Map<String, ?> values) {
        write(NODE_PROPERTIES, properties(values));
    }

    public void writeStats(Map<String, ?> values) {
        write(STATS_PROPERTIES, properties(values));
    }

    private static String properties(Map<String, ?> values) {
        StringBuilder text = new StringBuilder();
        values.forEach((key, value) -> text.append(key).append('=').append(value).append('\n'));
        return text.toString();
    }

    private void write(String name, String content) {
        try {
            Path tmp = Files.createTempFile(dir, "." + name, ".tmp");
            try {
                Files.writeString(tmp, content, StandardCharsets.UTF_8);
                moveAtomically(tmp, dir.resolve(name));
            } finally {
                Files.deleteIfExists(tmp);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + dir.resolve(name), e);
        }
    }

    static void moveAtomically(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    static void setPermissions(Path path, String permissions) throws IOException {
        try {
            Files.setPosixFilePermissions(path, PosixFilePermissions.fromString(permissions));
        } catch (UnsupportedOperationException notPosix) {
            path.toFile().setReadable(false, false);
            path.toFile().setReadable(true, true);
        }
    }
}
