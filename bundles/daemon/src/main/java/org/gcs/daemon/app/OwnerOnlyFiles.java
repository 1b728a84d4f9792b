package org.gcs.daemon.app;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.util.Set;
import org.gcs.internal.files.AtomicFiles;

/**
 * Directories and files only their owner can use, private from the moment they exist: a file that was readable for an
 * instant could already have been read, so permissions are given at creation, never narrowed afterwards.
 */
public final class OwnerOnlyFiles {
    /** {@code rwx------} (0700). */
    public static final Set<PosixFilePermission> DIRECTORY = PosixFilePermissions.fromString("rwx------");
    /** {@code rw-------} (0600). */
    public static final Set<PosixFilePermission> FILE = PosixFilePermissions.fromString("rw-------");

    private OwnerOnlyFiles() {
    }

    /**
     * Creates {@code dir} with mode 0700 (missing parents get the default mode), or accepts an existing directory only
     * if neither group nor others can enter it and it belongs to this process's user.
     *
     * @throws IOException saying which directory, its owner or mode and what to do, if it cannot be kept private
     */
    public static void requirePrivateDirectory(Path dir) throws IOException {
        Path absolute = dir.toAbsolutePath();
        Path parent = absolute.getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        try {
            Files.createDirectory(absolute, PosixFilePermissions.asFileAttribute(DIRECTORY));
            // the umask may have taken owner bits away; it can never have added any for group or others
            Files.setPosixFilePermissions(absolute, DIRECTORY);
        } catch (FileAlreadyExistsException e) {
            // checked below, like any existing directory
        } catch (UnsupportedOperationException e) {
            throw noPosix(absolute);
        }
        PosixFileAttributes attributes;
        try {
            attributes = Files.readAttributes(absolute, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (UnsupportedOperationException e) {
            throw noPosix(absolute);
        }
        if (!attributes.isDirectory()) {
            throw new IOException("refusing to use " + absolute + " for the application socket: it is not a directory"
                    + (attributes.isSymbolicLink() ? " but a symbolic link" : ""));
        }
        Set<PosixFilePermission> mode = attributes.permissions();
        if (mode.contains(PosixFilePermission.GROUP_EXECUTE) || mode.contains(PosixFilePermission.OTHERS_EXECUTE)) {
            throw new IOException("refusing to use " + absolute + " for the application socket: its mode "
                    + PosixFilePermissions.toString(mode) + " lets " + (mode.contains(PosixFilePermission.OTHERS_EXECUTE)
                    ? "every user" : "its group") + " enter it and reach the socket; chmod 700 it (or remove it)");
        }
        UserPrincipal me;
        try {
            me = ownerOfNewFiles(absolute);
        } catch (java.nio.file.AccessDeniedException e) {
            throw new IOException("refusing to use " + absolute + " for the application socket: it belongs to "
                    + attributes.owner().getName() + " and this user cannot write in it");
        }
        if (!attributes.owner().equals(me)) {
            throw new IOException("refusing to use " + absolute + " for the application socket: it belongs to "
                    + attributes.owner().getName() + ", who could reach the socket, not to " + me.getName());
        }
    }

    /** Who this process is, as the file system sees it: the owner of a file it creates in {@code dir}. */
    private static UserPrincipal ownerOfNewFiles(Path dir) throws IOException {
        Path probe = Files.createTempFile(dir, ".owner", ".tmp");
        try {
            return Files.getOwner(probe, LinkOption.NOFOLLOW_LINKS);
        } finally {
            Files.deleteIfExists(probe);
        }
    }

    /**
     * Replaces {@code file} atomically with {@code text}: it is written to a new file that is 0600 from its creation and
     * then renamed over the old one, so no reader ever sees a partial or a readable-by-others version.
     */
    public static void write(Path file, String text) throws IOException {
        Path absolute = file.toAbsolutePath();
        if (!Files.getFileStore(absolute.getParent())
                .supportsFileAttributeView(java.nio.file.attribute.PosixFileAttributeView.class)) {
            throw noPosix(absolute.getParent());
        }
        AtomicFiles.replace(absolute, text.getBytes(StandardCharsets.UTF_8), AtomicFiles.OWNER_ONLY);
    }

    private static IOException noPosix(Path where) {
        return new IOException("the file system of " + where + " has no POSIX permissions: the daemon cannot keep its"
                + " application socket and cookie private there");
    }
}
