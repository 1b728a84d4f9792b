package org.gcs.examples.filesend;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import org.gcs.api.AppId;
import org.gcs.api.DeviceId;
import org.gcs.api.UserId;
import org.gcs.api.transport.ChannelType;
import org.gcs.api.transport.PathKind;
import org.gcs.client.PeerConnection;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The receiving side of the file format, against an in-memory pipe (the socket transfer is tested end to end). */
class ReceiveOneTest {
    @TempDir
    Path dir;

    private final ByteArrayOutputStream log = new ByteArrayOutputStream();
    private final PrintStream out = new PrintStream(log, true, StandardCharsets.UTF_8);

    @Test
    void verifiedFileIsStoredUnderAFreeName() throws Exception {
        byte[] content = new byte[200_000];
        new java.util.Random(1).nextBytes(content);
        Files.writeString(dir.resolve("data.bin"), "already here");
        MemoryPipe pipe = new MemoryPipe(transfer("data.bin", content, sha(content)));

        assertEquals(0, FileSend.receiveOne(pipe, dir, out));

        assertArrayEquals(content, Files.readAllBytes(dir.resolve("data.bin.1")));
        assertEquals("OK " + sha(content) + "\n", pipe.answer());
        String text = log.toString(StandardCharsets.UTF_8);
        assertTrue(text.contains("verified sha256=" + sha(content) + " bytes=200000 path=" + dir.resolve("data.bin.1")), text);
        assertTrue(text.contains("progress received 100% 200000/200000 bytes"), text);
        assertFalse(Files.exists(dir.resolve(".data.bin.part")));
    }

    @Test
    void mismatchIsReportedAndNothingKept() throws Exception {
        byte[] content = "hello".getBytes(StandardCharsets.UTF_8);
        MemoryPipe pipe = new MemoryPipe(transfer("x.txt", content, "0".repeat(64)));

        assertEquals(FileSend.EXIT_REMOTE, FileSend.receiveOne(pipe, dir, out));

        assertTrue(pipe.answer().startsWith("ERR sha256 mismatch"), pipe.answer());
        try (var files = Files.list(dir)) {
            assertEquals(0, files.count());
        }
        assertTrue(log.toString(StandardCharsets.UTF_8).contains("mismatch expected=" + "0".repeat(64)));
    }

    @Test
    void truncatedTransferFails() throws Exception {
        byte[] content = "hello".getBytes(StandardCharsets.UTF_8);
        byte[] all = transfer("x.txt", content, sha(content));
        MemoryPipe pipe = new MemoryPipe(java.util.Arrays.copyOf(all, all.length - 2));
        assertEquals(FileSend.EXIT_FAILED, FileSend.receiveOne(pipe, dir, out));
        try (var files = Files.list(dir)) {
            assertEquals(0, files.count());
        }
    }

    private static byte[] transfer(String name, byte[] content, String sha) throws Exception {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.write(new FileHeader(name, content.length, sha).encode());
        b.write(content);
        return b.toByteArray();
    }

    private static String sha(byte[] content) throws Exception {
        return FileHeader.hex(MessageDigest.getInstance("SHA-256").digest(content));
    }

    private static final class MemoryPipe implements PeerConnection {
        private final InputStream in;
        private final ByteArrayOutputStream sent = new ByteArrayOutputStream();
        private boolean open = true;

        MemoryPipe(byte[] incoming) {
            this.in = new ByteArrayInputStream(incoming);
        }

        String answer() {
            return sent.toString(StandardCharsets.UTF_8);
        }

        @Override public String connectionId() { return "00"; }
        @Override public boolean incoming() { return true; }
        @Override public UserId remoteUser() { return UserId.parse("pk:bob"); }
        @Override public DeviceId remoteDevice() { return DeviceId.of("phone"); }
        @Override public AppId remoteApp() { return AppId.of("files"); }
        @Override public AppId localApp() { return AppId.of("files"); }
        @Override public ChannelType type() { return ChannelType.DATA; }
        @Override public PathKind path() { return PathKind.HOST; }
        @Override public InputStream input() { return in; }
        @Override public OutputStream output() { return sent; }
        @Override public void shutdownOutput() { }
        @Override public void setReadTimeout(Duration timeout) { }
        @Override public void sendDatagram(byte[] datagram) { throw new IllegalStateException(); }
        @Override public byte[] receiveDatagram() { throw new IllegalStateException(); }
        @Override public boolean isOpen() { return open; }
        @Override public void close() { open = false; }
    }
}
