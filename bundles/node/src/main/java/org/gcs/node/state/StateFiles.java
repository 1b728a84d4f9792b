package org.gcs.node.state;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import org.gcs.internal.files.AtomicFiles;

/**
 * Writes the small files scripts and tests read from a node's state directory: {@code node-id} (hex),
 * {@code node.properties} (id and actual ports) and {@code stats.properties}. Each file is replaced atomically
 * ({@link AtomicFiles#replace}), so a reader never sees half a file.
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
        Path file = dir.resolve(name);
        try {
            AtomicFiles.replace(file, content.getBytes(StandardCharsets.UTF_8), AtomicFiles.OWNER_ONLY);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }
}
