package org.gcs.internal.files;

import java.io.File;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.EnumSet;
import java.util.Set;

/**
 * The one way GCS writes its files (node state, daemon state, user and node keys): whole or not at all, with their
 * permissions from the moment they exist.
 * {@link #replace} swaps new content in by an atomic rename, so a reader never sees half a file;
 * {@link #createIfAbsent} publishes a file only where none exists (a hard link of a complete temporary file, which the
 * kernel refuses if the name is taken), so of several writers racing for one name exactly one wins and the others are
 * told they lost.
 *
 * <p>On a file system without POSIX permissions (FAT, SMB, Windows) files and directories are created with the
 * platform's default access, narrowed to the owner with {@link File#setReadable(boolean, boolean)} and its siblings
 * where the platform honours them; where hard links are not supported either, {@link #createIfAbsent} falls back to
 * an exclusive create ({@code CREATE_NEW}), still one winner, but a racing reader may then see the file before it is
 * complete.
 */
public final class AtomicFiles {
    /** {@code rw-------}: private keys. */
    public static final Set<PosixFilePermission> OWNER_ONLY =
            Set.copyOf(PosixFilePermissions.fromString("rw-------"));
    /** {@code rw-r--r--}: public files such as certificates. */
    public static final Set<PosixFilePermission> READABLE_BY_ALL =
            Set.copyOf(PosixFilePermissions.fromString("rw-r--r--"));
    private static final Set<PosixFilePermission> PRIVATE_DIRECTORY =
            Set.copyOf(PosixFilePermissions.fromString("rwx------"));

    private AtomicFiles() {
    }

    /** Creates {@code dir} and its missing parents owner-only ({@code rwx------}); an existing one is left as it is. */
    public static Path createPrivateDirectory(Path dir) throws IOException {
        if (Files.isDirectory(dir)) {
            return dir;
        }
        try {
            Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PRIVATE_DIRECTORY));
        } catch (UnsupportedOperationException notPosix) {
            Files.createDirectories(dir);
            narrowWithoutPosix(dir, PRIVATE_DIRECTORY);
        }
        return dir;
    }

    /**
     * Replaces {@code file} with {@code text} (UTF-8) atomically, owner-only; creates its directory (with the default
     * permissions) if missing. For state files that scripts and the next start read.
     */
    public static void replace(Path file, String text) throws IOException {
        Files.createDirectories(file.toAbsolutePath().getParent());
        replace(file, text.getBytes(java.nio.charset.StandardCharsets.UTF_8), OWNER_ONLY);
    }

    /** Replaces {@code file} with {@code content} atomically; a new file gets {@code permissions}. */
    public static void replace(Path file, byte[] content, Set<PosixFilePermission> permissions) throws IOException {
        Path tmp = writeTemporary(file, content, permissions, false);
        try {
            try {
                Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /**
     * Creates {@code file} with {@code content} and {@code permissions} unless a file of that name exists; never touches
     * an existing file.
     *
     * @return whether this call created it; {@code false} when it existed or another writer got there first
     */
    public static boolean createIfAbsent(Path file, byte[] content, Set<PosixFilePermission> permissions)
            throws IOException {
        Path tmp = writeTemporary(file, content, permissions, true);
        try {
            // link(2) fails with EEXIST if the name is taken: create-if-absent of a file that is already complete.
            // A rename (Files.move, even without REPLACE_EXISTING) would silently replace a file created meanwhile.
            Files.createLink(file, tmp);
            return true;
        } catch (FileAlreadyExistsException lost) {
            return false;
        } catch (UnsupportedOperationException | FileSystemException noHardLinks) {
            return createNew(file, content, permissions);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    private static boolean createNew(Path file, byte[] content, Set<PosixFilePermission> permissions)
            throws IOException {
        try {
            write(file, content, true, EnumSet.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE),
                    PosixFilePermissions.asFileAttribute(permissions));
        } catch (FileAlreadyExistsException lost) {
            return false;
        } catch (UnsupportedOperationException notPosix) {
            try {
                write(file, content, true, EnumSet.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE));
            } catch (FileAlreadyExistsException lost) {
                return false;
            }
            narrowWithoutPosix(file, permissions);
        }
        return true;
    }

    /** A complete copy of {@code content} next to {@code file}, created with {@code permissions}. */
    private static Path writeTemporary(Path file, byte[] content, Set<PosixFilePermission> permissions,
            boolean durable) throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        String prefix = "." + file.getFileName();
        Path tmp;
        try {
            tmp = Files.createTempFile(dir, prefix, ".tmp", PosixFilePermissions.asFileAttribute(permissions));
        } catch (UnsupportedOperationException notPosix) {
            tmp = Files.createTempFile(dir, prefix, ".tmp");
            narrowWithoutPosix(tmp, permissions);
        }
        try {
            write(tmp, content, durable, EnumSet.of(StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING));
            return tmp;
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(tmp);
            throw e;
        }
    }

    /**
     * Writes {@code content}; a {@code durable} write is forced to disk before the file is published, so a crash cannot
     * leave an empty key file that would then stop the node. Replaced files (counters rewritten every second) skip it.
     */
    private static void write(Path file, byte[] content, boolean durable, Set<StandardOpenOption> options,
            FileAttribute<?>... attributes) throws IOException {
        try (FileChannel channel = FileChannel.open(file, options, attributes)) {
            ByteBuffer buffer = ByteBuffer.wrap(content);
            while (buffer.hasRemaining()) {
                channel.write(buffer);
            }
            if (durable) {
                channel.force(true);
            }
        }
    }

    private static void narrowWithoutPosix(Path path, Set<PosixFilePermission> permissions) {
        File file = path.toFile();
        boolean othersRead = permissions.contains(PosixFilePermission.OTHERS_READ);
        file.setReadable(false, false);
        file.setReadable(true, !othersRead);
        file.setWritable(false, false);
        file.setWritable(true, true);
        if (permissions.contains(PosixFilePermission.OWNER_EXECUTE)) {
            file.setExecutable(false, false);
            file.setExecutable(true, true);
        }
    }
}
