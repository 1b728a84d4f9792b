package org.gcs.internal.identity;

import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.bouncycastle.util.io.pem.PemObject;
import org.bouncycastle.util.io.pem.PemReader;
import org.bouncycastle.util.io.pem.PemWriter;

/** PEM text (RFC 7468) of the node's key and certificate files, read and written by Bouncy Castle. */
final class Pem {
    static final String PRIVATE_KEY = "PRIVATE KEY";
    static final String CERTIFICATE = "CERTIFICATE";

    private Pem() {
    }

    static byte[] encode(String type, byte[] der) {
        StringWriter text = new StringWriter();
        try (PemWriter writer = new PemWriter(text)) {
            writer.writeObject(new PemObject(type, der));
        } catch (IOException e) {
            throw new UncheckedIOException("a StringWriter does not fail", e);
        }
        return text.toString().getBytes(StandardCharsets.US_ASCII);
    }

    /** The DER content of the first PEM block of {@code text}, read from {@code file}, which must be of {@code type}. */
    static byte[] decode(byte[] text, String type, Path file) throws IOException {
        PemObject object;
        // ISO-8859-1 maps every byte to a character, so a binary file gets the PEM error below, not a charset error.
        try (PemReader reader = new PemReader(new StringReader(new String(text, StandardCharsets.ISO_8859_1)))) {
            object = reader.readPemObject();
        } catch (IOException | RuntimeException e) {
            throw new IOException(file + " is not a readable PEM " + type + ": " + e.getMessage(), e);
        }
        if (object == null) {
            throw new IOException(file + " is not a PEM " + type + " (no -----BEGIN " + type + "----- line)");
        }
        if (!object.getType().equals(type)) {
            throw new IOException(file + " holds a PEM " + object.getType() + ", not a " + type);
        }
        return object.getContent();
    }
}
