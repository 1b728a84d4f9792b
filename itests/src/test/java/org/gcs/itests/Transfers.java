package org.gcs.itests;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.gcs.client.PeerConnection;

/** Bulk data through an open pipe, checked end to end (length and SHA-256), as the end-to-end tests need it. */
final class Transfers {
    private Transfers() {
    }

    /**
     * Writes {@code payload} into {@code out}, ends its output, reads {@code in} to its end (within 90 s) and asserts
     * that exactly the payload arrived; closes both connections.
     */
    static void sendAndCheck(PeerConnection out, PeerConnection in, byte[] payload) throws Exception {
        CompletableFuture<byte[]> received = CompletableFuture.supplyAsync(() -> {
            try (InputStream i = in.input()) {
                return i.readAllBytes();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
        OutputStream o = out.output();
        o.write(payload);
        o.flush();
        out.shutdownOutput();
        byte[] got = received.get(90, TimeUnit.SECONDS);
        assertEquals(payload.length, got.length);
        assertArrayEquals(sha256(payload), sha256(got), "SHA-256 of what arrived");
        out.close();
        in.close();
    }

    static byte[] sha256(byte[] data) throws NoSuchAlgorithmException {
        return MessageDigest.getInstance("SHA-256").digest(data);
    }
}
