package org.gcs.internal.files;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.EnumSet;
import java.util.Set;

/**
 * Refuses, as ssh does, a private key file that its group or others may access: such a key may already be copied,
 * and starting with it would hide that. On a file system without POSIX permissions there is nothing to check, and the
 * key is used (the directory's protection is then the owner's responsibility).
 */
public final class PrivateKeyFiles {
    private static final Set<PosixFilePermission> GROUP_OR_OTHERS = EnumSet.of(
            PosixFilePermission.GROUP_READ, PosixFilePermission.GROUP_WRITE, PosixFilePermission.GROUP_EXECUTE,
            PosixFilePermission.OTHERS_READ, PosixFilePermission.OTHERS_WRITE, PosixFilePermission.OTHERS_EXECUTE);

    private PrivateKeyFiles() {
    }

    /** The content of {@code keyFile} once its permissions are found owner-only; errors name the file. */
    public static byte[] read(Path file) throws IOException {
        Path keyFile = file.toAbsolutePath();
        requireOwnerOnly(keyFile);
        try {
            return Files.readAllBytes(keyFile);
        } catch (IOException e) {
            throw new IOException("cannot read the private key file " + keyFile + ": " + e, e);
        }
    }

    /** Throws, naming the file and the fix, when group or others may access {@code keyFile}. */
    public static void requireOwnerOnly(Path keyFile) throws IOException {
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
}
