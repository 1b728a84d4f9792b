package org.gcs.auth.pubkey;

import java.io.File;
import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.EnumSet;
import java.util.Set;
import org.bouncycastle.util.io.pem.PemObject;
import org.bouncycastle.util.io.pem.PemReader;
import org.bouncycastle.util.io.pem.PemWriter;

/**
 * A PEM private key file on disk, kept as ssh keeps its keys: created once, whole and owner-only ({@code rw-------},
 * in a directory made {@code rwx------}), never replaced, and refused when group or others may access it.
 *
 * <p>Creation is a hard link of a complete temporary file, which the kernel refuses when the name is taken, so of
 * several processes creating the key at the same moment exactly one wins and the others read its key. (A rename would
 * silently replace a key another process had just made and started to use.) On a file system without POSIX
 * permissions (FAT, SMB, Windows) the file is narrowed to its owner with {@link File#setReadable(boolean, boolean)}
 * where the platform honours it and its permissions are not checked; without hard links, an exclusive create
 * ({@code CREATE_NEW}) still lets only one process win, but a racing reader may see the file before it is complete.
 *
 * <p>The node bundle has the same rules in {@code org.gcs.node.state.AtomicFiles} and {@code PrivateKeyFiles}:
 * bundles do not share private packages, and this is not API.
 */
final class KeyFile {
    static final String PRIVATE_KEY = "PRIVATE KEY";
    private static final Set<PosixFilePermission> OWNER_ONLY =
            Set.copyOf(PosixFilePermissions.fromString("rw-------"));
    private static final Set<PosixFilePermission> PRIVATE_DIRECTORY =
            Set.copyOf(PosixFilePermissions.fromString("rwx------"));
    private static final Set<PosixFilePermission> GROUP_OR_OTHERS = EnumSet.of(
            PosixFilePermission.GROUP_READ, PosixFilePermission.GROUP_WRITE, PosixFilePermission.GROUP_EXECUTE,
            PosixFilePermission.OTHERS_READ, PosixFilePermission.OTHERS_WRITE, PosixFilePermission.OTHERS_EXECUTE);

    private KeyFile() {
    }

    /**
     * Writes {@code der} as a PEM {@code PRIVATE KEY} to {@code file} unless that file exists.
     *
     * @return whether this call created the file; {@code false} when it existed or another process got there first
     */
    static boolean createIfAbsent(Path file, byte[] der) throws IOException {
        Path dir = createPrivateDirectory(file.toAbsolutePath().getParent());
        byte[] pem = pem(der);
        Path tmp = temporaryFile(dir, "." + file.getFileName());
        try {
            write(tmp, pem, EnumSet.of(StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING));
            Files.createLink(file, tmp);
            return true;
        } catch (FileAlreadyExistsException lost) {
            return false;
        } catch (UnsupportedOperationException | FileSystemException noHardLinks) {
            return createNew(file, pem);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** The DER content of the PEM {@code PRIVATE KEY} in {@code file}, once its permissions are found owner-only. */
    static byte[] read(Path file) throws IOException {
        Path keyFile = file.toAbsolutePath();
        requireOwnerOnly(keyFile);
        byte[] text;
        try {
            text = Files.readAllBytes(keyFile);
        } catch (IOException e) {
            throw new IOException("cannot read the private key file " + keyFile + ": " + e, e);
        }
        PemObject object;
        // ISO-8859-1 maps every byte to a character, so a binary file gets the PEM error below, not a charset error.
        try (PemReader reader = new PemReader(new StringReader(new String(text, StandardCharsets.ISO_8859_1)))) {
            object = reader.readPemObject();
        } catch (IOException | RuntimeException e) {
            throw new IOException(keyFile + " is not a readable PEM private key: " + e.getMessage(), e);
        }
        if (object == null || !object.getType().equals(PRIVATE_KEY)) {
            throw new IOException(keyFile + " is not a PEM private key (no -----BEGIN " + PRIVATE_KEY + "----- block)");
        }
        return object.getContent();
    }

    private static void requireOwnerOnly(Path keyFile) throws IOException {
        Set<PosixFilePermission> permissions;
        try {
            permissions = Files.getPosixFilePermissions(keyFile);
        } catch (UnsupportedOperationException notPosix) {
            return;
        } catch (IOException e) {
            throw new IOException("cannot read the permissions of the private key file " + keyFile + ": " + e, e);
        }
        if (permissions.stream().anyMatch(GROUP_OR_OTHERS::contains)) {
            throw new IOException("the private key file " + keyFile + " has permissions "
                    + PosixFilePermissions.toString(permissions) + ": a private key must not be accessible by group or"
                    + " others; restrict it with: chmod 600 " + keyFile + " (and consider the key exposed if others"
                    + " could read it)");
        }
    }

    private static byte[] pem(byte[] der) {
        StringWriter text = new StringWriter();
        try (PemWriter writer = new PemWriter(text)) {
            writer.writeObject(new PemObject(PRIVATE_KEY, der));
        } catch (IOException e) {
            throw new UncheckedIOException("a StringWriter does not fail", e);
        }
        return text.toString().getBytes(StandardCharsets.US_ASCII);
    }

    private static Path createPrivateDirectory(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            try {
                Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PRIVATE_DIRECTORY));
            } catch (UnsupportedOperationException notPosix) {
                Files.createDirectories(dir);
                narrowToOwner(dir);
            }
        }
        return dir;
    }

    private static Path temporaryFile(Path dir, String prefix) throws IOException {
        try {
            return Files.createTempFile(dir, prefix, ".tmp", PosixFilePermissions.asFileAttribute(OWNER_ONLY));
        } catch (UnsupportedOperationException notPosix) {
            Path tmp = Files.createTempFile(dir, prefix, ".tmp");
            narrowToOwner(tmp);
            return tmp;
        }
    }

    private static boolean createNew(Path file, byte[] pem) throws IOException {
        try {
            write(file, pem, EnumSet.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE),
                    PosixFilePermissions.asFileAttribute(OWNER_ONLY));
        } catch (FileAlreadyExistsException lost) {
            return false;
        } catch (UnsupportedOperationException notPosix) {
            try {
                write(file, pem, EnumSet.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE));
            } catch (FileAlreadyExistsException lost) {
                return false;
            }
            narrowToOwner(file);
        }
        return true;
    }

    /** Writes and forces to disk before the file is published, so a crash cannot leave an empty key behind. */
    private static void write(Path file, byte[] content, Set<StandardOpenOption> options, FileAttribute<?>... attributes)
            throws IOException {
        try (FileChannel channel = FileChannel.open(file, options, attributes)) {
            ByteBuffer buffer = ByteBuffer.wrap(content);
            while (buffer.hasRemaining()) {
                channel.write(buffer);
            }
            channel.force(true);
        }
    }

    private static void narrowToOwner(Path path) {
        File file = path.toFile();
        file.setReadable(false, false);
        file.setReadable(true, true);
        file.setWritable(false, false);
        file.setWritable(true, true);
        if (file.isDirectory()) {
            file.setExecutable(false, false);
            file.setExecutable(true, true);
        }
    }
}
