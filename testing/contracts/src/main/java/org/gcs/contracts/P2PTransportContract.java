package org.gcs.contracts;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.gcs.api.ProtocolException;
import org.gcs.api.TransportException;
import org.gcs.api.transport.ChannelType;
import org.gcs.api.transport.P2PChannel;
import org.gcs.api.transport.P2PTransport;
import org.gcs.api.transport.PathKind;
import org.gcs.api.transport.PeerSession;
import org.gcs.api.transport.Role;
import org.gcs.api.transport.SessionOptions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * What every {@link P2PTransport} must do, on one machine: two sessions of the transport under test, their descriptions
 * swapped and their signals forwarded directly (as the daemons do through the node). Subclasses provide a transport
 * configured for loopback (e.g. host candidates on 127.0.0.1).
 *
 * <p>Behaviour checked: DATA moves bytes both ways intact with end-of-stream; STREAM delivers datagrams; the path on
 * loopback is {@link PathKind#HOST}; the channel binding is equal at both ends and differs between channels; malformed
 * descriptions and signals raise {@link ProtocolException}; a peer that never answers fails {@code channel()} with
 * {@link TransportException} within the session timeout; closing is idempotent, reaches the peer, and sessions leave no
 * threads behind; a writer blocks when the reader stops (flow control, no unbounded buffering).
 */
public abstract class P2PTransportContract {
    /** Bytes moved each way by the bulk test. */
    protected static final int BULK_BYTES = 10 * 1024 * 1024;

    protected P2PTransport transport;

    /** A fresh transport configured for loopback-only operation. */
    protected abstract P2PTransport createTransport();

    /** Releases what {@link #createTransport()} made (deactivate the component). */
    protected void disposeTransport(P2PTransport t) {
    }

    /** Session timeout used by the tests that expect success. */
    protected Duration connectTimeout() {
        return Duration.ofSeconds(10);
    }

    /** Threads a run of sessions may leave above the starting count (shared pools that grow once). */
    protected int allowedThreadGrowth() {
        return 4;
    }

    @BeforeEach
    void createTransportUnderTest() {
        transport = createTransport();
    }

    @AfterEach
    void disposeTransportUnderTest() {
        disposeTransport(transport);
    }

    // ---- fixtures -------------------------------------------------------------------------------------------------

    /** Forwards one session's signals to the other, buffering them until the other exists (as a daemon does). */
    protected static final class Relay implements Consumer<byte[]> {
        private final List<byte[]> early = new ArrayList<>();
        private PeerSession target;

        @Override
        public void accept(byte[] signal) {
            PeerSession t;
            synchronized (this) {
                if (target == null) {
                    early.add(signal.clone());
                    return;
                }
                t = target;
            }
            t.remoteSignal(signal);
        }

        public void connect(PeerSession to) {
            List<byte[]> pending;
            synchronized (this) {
                target = to;
                pending = new ArrayList<>(early);
                early.clear();
            }
            pending.forEach(to::remoteSignal);
        }
    }

    /** Two wired sessions. */
    protected record Pair(PeerSession caller, PeerSession callee) implements AutoCloseable {
        @Override
        public void close() {
            caller.close();
            callee.close();
        }
    }

    /**
     * Creates caller and callee sessions and exchanges their descriptions, passing the answer through
     * {@code answerFilter} (tests may tamper with it).
     */
    protected Pair wire(ChannelType type, Duration timeout, java.util.function.UnaryOperator<byte[]> answerFilter)
            throws Exception {
        Relay toCallee = new Relay();
        Relay toCaller = new Relay();
        PeerSession caller = transport.newSession(new SessionOptions(Role.CONTROLLING, type, List.of(), timeout), toCallee);
        byte[] offer = caller.localDescription().get(5, TimeUnit.SECONDS);
        PeerSession callee = transport.newSession(new SessionOptions(Role.CONTROLLED, type, List.of(), timeout), toCaller);
        toCallee.connect(callee);
        callee.remoteDescription(offer);
        byte[] answer = callee.localDescription().get(5, TimeUnit.SECONDS);
        caller.remoteDescription(answerFilter.apply(answer));
        toCaller.connect(caller);
        return new Pair(caller, callee);
    }

    protected P2PChannel[] connect(ChannelType type) throws Exception {
        Pair p = wire(type, connectTimeout(), a -> a);
        long wait = connectTimeout().toMillis() + 2000;
        P2PChannel a = p.caller().channel().get(wait, TimeUnit.MILLISECONDS);
        P2PChannel b = p.callee().channel().get(wait, TimeUnit.MILLISECONDS);
        return new P2PChannel[] {a, b};
    }

    protected static Throwable failureOf(CompletableFuture<?> f, long millis) throws InterruptedException {
        try {
            Object v = f.get(millis, TimeUnit.MILLISECONDS);
            if (v instanceof AutoCloseable c) {
                try {
                    c.close();
                } catch (Exception ignored) {
                    // closing the unexpected success
                }
            }
            throw new AssertionError("expected a failure, got " + v);
        } catch (ExecutionException e) {
            return e.getCause();
        } catch (TimeoutException e) {
            throw new AssertionError("neither success nor failure within " + millis + " ms");
        }
    }

    private static byte[] sha256(byte[] data) throws Exception {
        return MessageDigest.getInstance("SHA-256").digest(data);
    }

    private static CompletableFuture<byte[]> readAll(InputStream in) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                MessageDigest md = MessageDigest.getInstance("SHA-256");
                byte[] buf = new byte[64 * 1024];
                int n;
                while ((n = in.read(buf)) >= 0) {
                    md.update(buf, 0, n);
                }
                return md.digest();
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
        });
    }

    private static CompletableFuture<Void> writeAll(OutputStream out, byte[] data) {
        return CompletableFuture.runAsync(() -> {
            try {
                for (int off = 0; off < data.length; off += 32 * 1024) {
                    out.write(data, off, Math.min(32 * 1024, data.length - off));
                }
                out.close();
            } catch (IOException e) {
                throw new RuntimeException(e);
            }
        });
    }

    // ---- behaviour ------------------------------------------------------------------------------------------------

    @Test
    @Timeout(60)
    void dataChannelMovesBytesBothWaysIntact() throws Exception {
        P2PChannel[] ch = connect(ChannelType.DATA);
        try {
            assertEquals(ChannelType.DATA, ch[0].type());
            byte[] up = new byte[BULK_BYTES];
            byte[] down = new byte[BULK_BYTES];
            new Random(1).nextBytes(up);
            new Random(2).nextBytes(down);
            long start = System.nanoTime();
            CompletableFuture<byte[]> atCallee = readAll(ch[1].input());
            CompletableFuture<byte[]> atCaller = readAll(ch[0].input());
            CompletableFuture<Void> w1 = writeAll(ch[0].output(), up);
            CompletableFuture<Void> w2 = writeAll(ch[1].output(), down);
            assertArrayEquals(sha256(up), atCallee.get(45, TimeUnit.SECONDS), "caller -> callee");
            assertArrayEquals(sha256(down), atCaller.get(45, TimeUnit.SECONDS), "callee -> caller");
            w1.get(5, TimeUnit.SECONDS);
            w2.get(5, TimeUnit.SECONDS);
            double seconds = (System.nanoTime() - start) / 1e9;
            System.out.printf("[%s] 2 x %d MB both ways concurrently in %.2f s (%.0f Mbit/s each way)%n",
                    getClass().getSimpleName(), BULK_BYTES >> 20, seconds, BULK_BYTES * 8 / seconds / 1e6);
        } finally {
            ch[0].close();
            ch[1].close();
        }
    }

    @Test
    @Timeout(30)
    void streamChannelDeliversDatagrams() throws Exception {
        P2PChannel[] ch = connect(ChannelType.STREAM);
        try {
            assertEquals(ChannelType.STREAM, ch[0].type());
            int size = Math.min(1000, ch[0].maxDatagramSize());
            assertTrue(size >= 500, "max datagram size " + ch[0].maxDatagramSize());
            assertThrows(IllegalArgumentException.class, () -> ch[0].sendDatagram(new byte[ch[0].maxDatagramSize() + 1]));
            for (int dir = 0; dir < 2; dir++) {
                P2PChannel from = ch[dir];
                P2PChannel to = ch[1 - dir];
                int count = 100;
                java.util.concurrent.atomic.AtomicInteger received = new java.util.concurrent.atomic.AtomicInteger();
                java.util.concurrent.atomic.AtomicReference<Throwable> bad = new java.util.concurrent.atomic.AtomicReference<>();
                // a thread of its own: receiveDatagram blocks, and a datagram may be lost even on loopback, so the
                // receiver is interrupted at the deadline instead of waiting for the 100th datagram forever
                Thread receiver = new Thread(() -> {
                    try {
                        while (received.get() < count) {
                            byte[] d = to.receiveDatagram();
                            if (d == null) {
                                break;
                            }
                            int seq = ByteBuffer.wrap(d).getInt();
                            assertArrayEquals(datagram(seq, size), d, "datagram " + seq);
                            received.incrementAndGet();
                        }
                    } catch (InterruptedException e) {
                        // deadline
                    } catch (Throwable e) {
                        bad.set(e);
                    }
                }, "contract-datagram-receiver");
                receiver.start();
                for (int i = 0; i < count; i++) {
                    from.sendDatagram(datagram(i, size));
                    if (i % 10 == 9) {
                        Thread.sleep(2);
                    }
                }
                receiver.join(5000);
                receiver.interrupt();
                receiver.join(2000);
                if (bad.get() != null) {
                    throw new AssertionError("bad datagram", bad.get());
                }
                int got = received.get();
                assertTrue(got >= count / 2, "only " + got + " of " + count + " datagrams arrived on loopback");
            }
        } finally {
            ch[0].close();
            ch[1].close();
        }
    }

    private static byte[] datagram(int seq, int size) {
        byte[] d = new byte[size];
        new Random(seq).nextBytes(d);
        ByteBuffer.wrap(d).putInt(seq);
        return d;
    }

    @Test
    @Timeout(30)
    void loopbackPathIsHostAndBindingIsSharedAndUnique() throws Exception {
        P2PChannel[] first = connect(ChannelType.DATA);
        P2PChannel[] second = connect(ChannelType.DATA);
        try {
            assertEquals(PathKind.HOST, first[0].path());
            assertEquals(PathKind.HOST, first[1].path());
            assertTrue(first[0].channelBinding().length >= 16);
            assertArrayEquals(first[0].channelBinding(), first[1].channelBinding());
            assertArrayEquals(second[0].channelBinding(), second[1].channelBinding());
            assertFalse(Arrays.equals(first[0].channelBinding(), second[0].channelBinding()));
        } finally {
            for (P2PChannel c : new P2PChannel[] {first[0], first[1], second[0], second[1]}) {
                c.close();
            }
        }
    }

    @Test
    @Timeout(30)
    void endOfStreamAndCloseReachThePeer() throws Exception {
        P2PChannel[] ch = connect(ChannelType.DATA);
        ch[0].output().write("hello".getBytes());
        ch[0].output().close();
        byte[] got = ch[1].input().readAllBytes();
        assertEquals("hello", new String(got));
        ch[1].output().write('!');
        ch[1].output().flush();
        assertEquals('!', ch[0].input().read());
        ch[0].close();
        ch[0].close(); // idempotent
        ch[0].closeFuture().get(5, TimeUnit.SECONDS);
        ch[1].closeFuture().get(10, TimeUnit.SECONDS); // the peer notices
        ch[1].close();
        assertThrows(IOException.class, () -> ch[1].output().write(new byte[10]));
    }

    @Test
    @Timeout(30)
    void writerBlocksWhileTheReaderDoesNotRead() throws Exception {
        P2PChannel[] ch = connect(ChannelType.DATA);
        try {
            AtomicLong written = new AtomicLong();
            byte[] chunk = new byte[64 * 1024];
            long limit = 256L * 1024 * 1024;
            CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
                try {
                    while (written.get() < limit) {
                        ch[0].output().write(chunk);
                        written.addAndGet(chunk.length);
                    }
                } catch (IOException e) {
                    // closed at the end of the test
                }
            });
            Thread.sleep(1500);
            long first = written.get();
            Thread.sleep(500);
            assertEquals(first, written.get(), "the writer kept going although nobody reads");
            assertTrue(first < 64L * 1024 * 1024, "buffered " + first + " bytes without a reader");
            InputStream in = ch[1].input();
            byte[] buf = new byte[64 * 1024];
            long read = 0;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (read < first + 1024 * 1024 && System.nanoTime() < deadline) {
                int n = in.read(buf);
                assertTrue(n > 0);
                read += n;
            }
            assertTrue(written.get() > first, "the writer resumed once the reader read");
            ch[0].close();
            ch[1].close();
            writer.get(10, TimeUnit.SECONDS);
        } finally {
            ch[0].close();
            ch[1].close();
        }
    }

    @Test
    @Timeout(20)
    void malformedDescriptionsAndSignalsAreProtocolErrors() throws Exception {
        try (PeerSession s = transport.newSession(
                new SessionOptions(Role.CONTROLLED, ChannelType.DATA, List.of(), connectTimeout()), x -> { })) {
            assertThrows(ProtocolException.class, () -> s.remoteDescription(new byte[] {1, 2, 3}));
            assertThrows(ProtocolException.class, () -> s.remoteDescription(new byte[0]));
            assertThrows(ProtocolException.class, () -> s.remoteDescription(new byte[1 << 20]));
            assertThrows(ProtocolException.class, () -> s.remoteSignal(new byte[] {(byte) 0xff}));
            assertThrows(ProtocolException.class, () -> s.remoteSignal(new byte[64 * 1024]));
            assertNotNull(s.localDescription().get(5, TimeUnit.SECONDS));
        }
    }

    @Test
    @Timeout(20)
    void peerThatNeverAnswersFailsWithinTheTimeout() throws Exception {
        Duration timeout = Duration.ofMillis(1500);
        long start = System.nanoTime();
        try (PeerSession s = transport.newSession(
                new SessionOptions(Role.CONTROLLING, ChannelType.DATA, List.of(), timeout), x -> { })) {
            assertNotNull(s.localDescription().get(5, TimeUnit.SECONDS));
            Throwable t = failureOf(s.channel(), timeout.toMillis() + 3000);
            assertInstanceOf(TransportException.class, t);
            long took = (System.nanoTime() - start) / 1_000_000;
            assertTrue(took < timeout.toMillis() + 1500, "failed after " + took + " ms");
        }
    }

    @Test
    @Timeout(20)
    void closingASessionFailsItsChannelAndIsIdempotent() throws Exception {
        PeerSession s = transport.newSession(
                new SessionOptions(Role.CONTROLLING, ChannelType.DATA, List.of(), connectTimeout()), x -> { });
        s.localDescription().get(5, TimeUnit.SECONDS);
        s.close();
        s.close();
        assertInstanceOf(TransportException.class, failureOf(s.channel(), 2000));
    }

    @Test
    @Timeout(120)
    void sequentialSessionsLeaveNoThreadsBehind() throws Exception {
        P2PChannel[] warm = connect(ChannelType.DATA);
        warm[0].close();
        warm[1].close();
        int baseline = settledThreadCount(Integer.MAX_VALUE);
        for (int i = 0; i < 10; i++) {
            P2PChannel[] ch = connect(i % 2 == 0 ? ChannelType.DATA : ChannelType.STREAM);
            if (ch[0].type() == ChannelType.DATA) {
                ch[0].output().write(i);
                ch[0].output().flush();
                assertEquals(i, ch[1].input().read());
            }
            ch[0].close();
            ch[1].close();
            ch[1].closeFuture().get(5, TimeUnit.SECONDS);
        }
        int after = settledThreadCount(baseline + allowedThreadGrowth());
        assertTrue(after <= baseline + allowedThreadGrowth(),
                "live threads grew from " + baseline + " to " + after + ": " + threadNames());
    }

    /** Waits (bounded, 20 s) for idle pool threads to end; returns the live thread count. */
    protected static int settledThreadCount(int target) throws InterruptedException {
        int count = Thread.getAllStackTraces().size();
        for (int i = 0; i < 100 && count > target; i++) {
            Thread.sleep(200);
            count = Thread.getAllStackTraces().size();
        }
        Thread.sleep(500);
        return Thread.getAllStackTraces().size();
    }

    protected static List<String> threadNames() {
        List<String> names = new ArrayList<>();
        Thread.getAllStackTraces().keySet().forEach(t -> names.add(t.getName()));
        names.sort(null);
        return names;
    }
}
