package org.gcs.examples.filesend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.gcs.examples.RelayDaemon;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Both commands against {@link RelayDaemon}: the send/receive steps, the output lines and the exit codes. */
@Timeout(60)
class FileSendLoopbackTest {
    @TempDir
    Path tmp;

    @Test
    void sendAndReceiveOnce() throws Exception {
        Path file = tmp.resolve("payload.bin");
        byte[] content = new byte[1_000_000];
        new java.util.Random(7).nextBytes(content);
        Files.write(file, content);
        Path outDir = tmp.resolve("out");

        try (RelayDaemon daemon = new RelayDaemon()) {
            ByteArrayOutputStream recvLog = new ByteArrayOutputStream();
            PrintStream recvOut = new PrintStream(recvLog, true, StandardCharsets.UTF_8);
            CompletableFuture<Integer> receiver = CompletableFuture.supplyAsync(() -> FileSend.run(new String[] {
                "receive", "--daemon-port", Integer.toString(daemon.port()), "--dir", outDir.toString(), "--once",
                "--wait-seconds", "30"}, recvOut, recvOut));
            for (int i = 0; i < 100 && !recvLog.toString(StandardCharsets.UTF_8).contains("listening"); i++) {
                Thread.sleep(50);
            }

            ByteArrayOutputStream sendLog = new ByteArrayOutputStream();
            PrintStream sendOut = new PrintStream(sendLog, true, StandardCharsets.UTF_8);
            int sent = FileSend.run(new String[] {"send", "--daemon-port", Integer.toString(daemon.port()),
                "--user", "pk:alice", "--device", "laptop", "--file", file.toString()}, sendOut, sendOut);
            String sha = FileSend.sha256(file);
            assertEquals(0, sent, sendLog.toString(StandardCharsets.UTF_8));
            assertEquals(0, receiver.get(30, TimeUnit.SECONDS), recvLog.toString(StandardCharsets.UTF_8));
            assertTrue(sendLog.toString(StandardCharsets.UTF_8).contains("sent sha256=" + sha + " bytes=1000000 path=HOST"),
                    sendLog.toString(StandardCharsets.UTF_8));
            assertTrue(recvLog.toString(StandardCharsets.UTF_8).contains("verified sha256=" + sha + " bytes=1000000 path="
                    + outDir.resolve("payload.bin")), recvLog.toString(StandardCharsets.UTF_8));
            assertEquals(sha, FileSend.sha256(outDir.resolve("payload.bin")));
            assertEquals(List.of(), daemon.failures);
        }
    }

    @Test
    void sendWithoutListenerFailsWithTheStatus() throws Exception {
        Path file = tmp.resolve("a.txt");
        Files.writeString(file, "x");
        try (RelayDaemon daemon = new RelayDaemon()) {
            ByteArrayOutputStream log = new ByteArrayOutputStream();
            PrintStream out = new PrintStream(log, true, StandardCharsets.UTF_8);
            int code = FileSend.run(new String[] {"send", "--daemon-port", Integer.toString(daemon.port()),
                "--user", "pk:alice", "--device", "laptop", "--file", file.toString()}, out, out);
            assertEquals(FileSend.EXIT_STATUS, code, log.toString(StandardCharsets.UTF_8));
            assertTrue(log.toString(StandardCharsets.UTF_8).contains("failed status=UNKNOWN_APP"), log.toString(StandardCharsets.UTF_8));
        }
    }

    @Test
    void usageErrorsExitTwo() {
        PrintStream nul = new PrintStream(java.io.OutputStream.nullOutputStream());
        assertEquals(FileSend.EXIT_USAGE, FileSend.run(new String[] {"send", "--daemon-port", "x"}, nul, nul));
        assertEquals(FileSend.EXIT_USAGE, FileSend.run(new String[] {"fly"}, nul, nul));
        assertEquals(FileSend.EXIT_USAGE, FileSend.run(new String[] {"receive", "--bogus"}, nul, nul));
    }
}
