package org.gcs.daemon.testing;

import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.gcs.api.ProtocolException;
import org.gcs.api.TransportException;
import org.gcs.api.transport.ChannelType;
import org.gcs.api.transport.P2PChannel;
import org.gcs.api.transport.P2PTransport;
import org.gcs.api.transport.PathKind;
import org.gcs.api.transport.PeerSession;
import org.gcs.api.transport.SessionOptions;

/**
 * An in-memory transport shared by the daemons of one test. A description is the session's token; each session emits
 * one signal {@code cand:<token>} when asked for its description, and a channel opens once both sessions have the
 * other's description and signal, so tests see descriptions and signals relayed (and buffered) correctly.
 */
public final class FakeTransport implements P2PTransport {
    private final Map<String, Session> sessions = new ConcurrentHashMap<>();
    public final List<Session> created = new CopyOnWriteArrayList<>();
    public volatile String failWith;

    @Override
    public PeerSession newSession(SessionOptions options, Consumer<byte[]> signalOut) {
        Session s = new Session(options, signalOut);
        sessions.put(s.token, s);
        created.add(s);
        return s;
    }

    public final class Session implements PeerSession {
        final String token = UUID.randomUUID().toString();
        public final SessionOptions options;
        final Consumer<byte[]> signalOut;
        final CompletableFuture<P2PChannel> channel = new CompletableFuture<>();
        volatile Session peer;
        volatile boolean gotSignal;
        public volatile boolean closed;
        /** Signals the daemon handed to this session. */
        public final java.util.concurrent.atomic.AtomicInteger signalsReceived = new java.util.concurrent.atomic.AtomicInteger();

        Session(SessionOptions options, Consumer<byte[]> signalOut) {
            this.options = options;
            this.signalOut = signalOut;
            channel.orTimeout(options.timeout().toMillis(), TimeUnit.MILLISECONDS);
        }

        @Override
        public CompletableFuture<byte[]> localDescription() {
            signalOut.accept(("cand:" + token).getBytes(StandardCharsets.UTF_8));
            return CompletableFuture.completedFuture(token.getBytes(StandardCharsets.UTF_8));
        }

        @Override
        public void remoteDescription(byte[] description) {
            Session p = sessions.get(new String(description, StandardCharsets.UTF_8));
            if (p == null) {
                throw new ProtocolException("unknown description");
            }
            peer = p;
            maybeOpen();
        }

        @Override
        public void remoteSignal(byte[] signal) {
            signalsReceived.incrementAndGet();
            String s = new String(signal, StandardCharsets.UTF_8);
            if (!s.startsWith("cand:")) {
                throw new ProtocolException("bad signal " + s);
            }
            gotSignal = true;
            maybeOpen();
        }

        /** Whether the peer's description was applied (which, in a real transport, starts connectivity checks). */
        /** Emits {@code signal} now, as a session does when it gathers a candidate late (after a TURN allocation). */
        public void emit(String signal) {
            signalOut.accept(signal.getBytes(StandardCharsets.UTF_8));
        }

        public boolean hasRemoteDescription() {
            return peer != null;
        }

        boolean ready() {
            return peer != null && gotSignal;
        }

        private void maybeOpen() {
            synchronized (FakeTransport.this) {
                Session p = peer;
                if (!ready() || !p.ready() || channel.isDone() || p.channel.isDone()) {
                    return;
                }
                if (failWith != null) {
                    channel.completeExceptionally(new TransportException(failWith));
                    p.channel.completeExceptionally(new TransportException(failWith));
                    return;
                }
                Channel a = new Channel(options.type());
                Channel b = new Channel(options.type());
                a.peer = b;
                b.peer = a;
                MemoryPipe ab = new MemoryPipe();
                MemoryPipe ba = new MemoryPipe();
                a.in = ba.in;
                a.out = ab.out;
                b.in = ab.in;
                b.out = ba.out;
                channel.complete(a);
                p.channel.complete(b);
            }
        }

        @Override
        public CompletableFuture<P2PChannel> channel() {
            return channel;
        }

        @Override
        public void close() {
            closed = true;
            channel.completeExceptionally(new TransportException("session closed"));
        }
    }

    public static final class Channel implements P2PChannel {
        final ChannelType type;
        volatile Channel peer;
        InputStream in;
        OutputStream out;
        final BlockingQueue<byte[]> datagrams = new LinkedBlockingQueue<>(1024);
        final CompletableFuture<Void> closed = new CompletableFuture<>();

        Channel(ChannelType type) {
            this.type = type;
        }

        @Override
        public ChannelType type() {
            return type;
        }

        @Override
        public PathKind path() {
            return PathKind.HOST;
        }

        @Override
        public byte[] channelBinding() {
            return new byte[32];
        }

        @Override
        public InputStream input() {
            return in;
        }

        @Override
        public OutputStream output() {
            return out;
        }

        @Override
        public int maxDatagramSize() {
            return 1200;
        }

        @Override
        public void sendDatagram(byte[] datagram) {
            if (!closed.isDone()) {
                peer.datagrams.offer(datagram);
            }
        }

        @Override
        public byte[] receiveDatagram() throws InterruptedException {
            while (!closed.isDone()) {
                byte[] d = datagrams.poll(50, TimeUnit.MILLISECONDS);
                if (d != null) {
                    return d;
                }
            }
            return null;
        }

        @Override
        public CompletableFuture<Void> closeFuture() {
            return closed;
        }

        @Override
        public void close() {
            if (closed.complete(null)) {
                try {
                    out.close();
                    in.close();
                } catch (Exception e) {
                    // in-memory
                }
                peer.close();
            }
        }
    }
}
