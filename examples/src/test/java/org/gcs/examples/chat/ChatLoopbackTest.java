package org.gcs.examples.chat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.SequenceInputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.gcs.examples.RelayDaemon;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@code chat listen} and {@code chat call} against {@link RelayDaemon}, each with a scripted stdin. */
@Timeout(60)
class ChatLoopbackTest {
    @Test
    void linesTravelBothWays() throws Exception {
        try (RelayDaemon daemon = new RelayDaemon()) {
            String port = Integer.toString(daemon.port());
            ByteArrayOutputStream listenLog = new ByteArrayOutputStream();
            PrintStream listenOut = new PrintStream(listenLog, true, StandardCharsets.UTF_8);
            CompletableFuture<Integer> listener = CompletableFuture.supplyAsync(() -> Chat.run(
                    new String[] {"listen", "--daemon-port", port, "--wait-seconds", "30"},
                    new ByteArrayInputStream("hello from listener\n".getBytes(StandardCharsets.UTF_8)), listenOut, listenOut));
            for (int i = 0; i < 100 && !listenLog.toString(StandardCharsets.UTF_8).contains("listening"); i++) {
                Thread.sleep(50);
            }
            ByteArrayOutputStream callLog = new ByteArrayOutputStream();
            PrintStream callOut = new PrintStream(callLog, true, StandardCharsets.UTF_8);
            // the caller's keyboard ends only once the listener's line arrived: a chat ends when both have spoken
            InputStream callerKeys = new SequenceInputStream(
                    new ByteArrayInputStream("hi from caller\nsecond line\n".getBytes(StandardCharsets.UTF_8)),
                    new InputStream() {
                        @Override
                        public int read() {
                            for (int i = 0; i < 200 && !callLog.toString(StandardCharsets.UTF_8).contains("hello from listener"); i++) {
                                try {
                                    Thread.sleep(50);
                                } catch (InterruptedException e) {
                                    Thread.currentThread().interrupt();
                                    break;
                                }
                            }
                            return -1;
                        }
                    });
            int called = Chat.run(new String[] {"call", "--daemon-port", port, "--user", "pk:alice", "--device", "laptop"},
                    callerKeys, callOut, callOut);
            assertEquals(0, called, callLog.toString(StandardCharsets.UTF_8));
            assertEquals(0, listener.get(30, TimeUnit.SECONDS), listenLog.toString(StandardCharsets.UTF_8));
            String heard = listenLog.toString(StandardCharsets.UTF_8);
            assertTrue(heard.contains("pk:alice: hi from caller") && heard.contains("pk:alice: second line"), heard);
            assertTrue(callLog.toString(StandardCharsets.UTF_8).contains("pk:alice: hello from listener"), callLog.toString(StandardCharsets.UTF_8));
            assertTrue(callLog.toString(StandardCharsets.UTF_8).contains("connected to=pk:alice device=laptop path=HOST"));
            assertEquals(List.of(), daemon.failures);
        }
    }
}
