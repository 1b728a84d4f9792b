package org.gcs.auth.pubkey;

import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.bouncycastle.util.io.pem.PemObject;
import org.bouncycastle.util.io.pem.PemReader;
import org.bouncycastle.util.io.pem.PemWriter;
import org.gcs.internal.files.AtomicFiles;
import org.gcs.internal.files.PrivateKeyFiles;

/**
 * A PEM private key file on disk, kept as ssh keeps its keys: created once, whole and owner-only ({@code rw-------},
 * in a directory made {@code rwx------}), never replaced, and refused when group or others may access it. The file
 * rules (a hard link of a complete temporary file, so of several processes creating the key at the same moment exactly
 * one wins and the others read its key) are {@link AtomicFiles}' and {@link PrivateKeyFiles}', which the node's keys
 * follow too; this class adds the PEM wrapping.
 */
final class KeyFile {
    static final String PRIVATE_KEY = "PRIVATE KEY";

    private KeyFile() {
    }

    /**
     * Writes {@code der} as a PEM {@code PRIVATE KEY} to {@code file} unless that file exists.
     *
     * @return whether this call created the file; {@code false} when it existed or another process got there first
     */
    static boolean createIfAbsent(Path file, byte[] der) throws IOException {
        AtomicFiles.createPrivateDirectory(file.toAbsolutePath().getParent());
        return AtomicFiles.createIfAbsent(file, pem(der), AtomicFiles.OWNER_ONLY);
    }

    /** The DER content of the PEM {@code PRIVATE KEY} in {@code file}, once its permissions are found owner-only. */
    static byte[] read(Path file) throws IOException {
        Path keyFile = file.toAbsolutePath();
        byte[] text = PrivateKeyFiles.read(keyFile);
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

    private static byte[] pem(byte[] der) {
        StringWriter text = new StringWriter();
        try (PemWriter writer = new PemWriter(text)) {
            writer.writeObject(new PemObject(PRIVATE_KEY, der));
        } catch (IOException e) {
            throw new UncheckedIOException("a StringWriter does not fail", e);
        }
        return text.toString().getBytes(StandardCharsets.US_ASCII);
    }
}
