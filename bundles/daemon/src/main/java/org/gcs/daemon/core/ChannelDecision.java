package org.gcs.daemon.core;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.gcs.api.transport.ChannelType;
import org.gcs.api.transport.P2PChannel;
import org.gcs.api.transport.PathKind;

/**
 * The callee application's decision, sent over an authenticated P2P channel when the application was asked only after
 * the channel came up (docs/PROTOCOL.md, "Decision over the channel"). Codes: {@link #ACCEPTED}, {@link #REJECTED},
 * {@link #UNKNOWN_APP}.
 *
 * <p>{@code DATA}: one byte, the code, before the piped bytes. {@code STREAM} (unreliable datagrams): the callee sends
 * a 32-byte decision token, {@code SHA-256("gcs/decision/v1" || channelBinding || code)}, every
 * {@value #RESEND_MILLIS} ms until the caller's acknowledgement token {@code SHA-256("gcs/decision-ack/v1" ||
 * channelBinding)} or the caller's first piped datagram arrives. Both ends then pipe through a filter that drops (and,
 * on the caller, acknowledges again) late tokens; tokens depend on the channel binding, so an application datagram
 * equal to one is as unlikely as a SHA-256 collision.
 *
 * <p>Calls block: run them on worker threads. Waiting for a decision ends when the channel closes; the caller bounds it
 * by closing the channel.
 */
final class ChannelDecision {
    static final byte ACCEPTED = 1;
    static final byte REJECTED = 2;
    static final byte UNKNOWN_APP = 3;
    static final long RESEND_MILLIS = 100;

    /** A decision received, and the channel to pipe from now on. */
    record Received(byte code, P2PChannel channel) {
    }

    private ChannelDecision() {
    }

    /**
     * The callee sends {@code code}; for STREAM it waits up to {@code timeout} for the acknowledgement.
     *
     * @return the channel to pipe (for STREAM a filtering view of {@code ch})
     * @throws IOException if the channel fails, or for STREAM if no acknowledgement arrived in time
     */
    static P2PChannel send(P2PChannel ch, byte code, Duration timeout, Executor threads)
            throws IOException, InterruptedException {
        if (ch.type() == ChannelType.DATA) {
            OutputStream out = ch.output();
            out.write(code);
            out.flush();
            return ch;
        }
        Tokens tokens = new Tokens(ch.channelBinding());
        CompletableFuture<byte[]> firstFromCaller = new CompletableFuture<>();
        threads.execute(() -> {
            try {
                while (true) {
                    byte[] d = ch.receiveDatagram();
                    if (d == null || tokens.isAck(d)) {
                        firstFromCaller.complete(null);
                        return;
                    }
                    if (!tokens.isControl(d)) {
                        firstFromCaller.complete(d); // the caller already pipes: an implicit acknowledgement
                        return;
                    }
                }
            } catch (IOException | RuntimeException e) {
                firstFromCaller.completeExceptionally(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                firstFromCaller.completeExceptionally(e);
            }
        });
        byte[] token = tokens.decision(code);
        long end = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < end) {
            ch.sendDatagram(token);
            try {
                byte[] first = firstFromCaller.get(RESEND_MILLIS, TimeUnit.MILLISECONDS);
                if (ch.closeFuture().isDone() && first == null) {
                    throw new IOException("the channel closed before the decision was acknowledged");
                }
                return new Filtered(ch, tokens, false, first);
            } catch (TimeoutException e) {
                // resend
            } catch (ExecutionException e) {
                throw new IOException("decision not acknowledged: " + e.getCause(), e.getCause());
            }
        }
        throw new IOException("decision not acknowledged within " + timeout.toMillis() + " ms");
    }

    /**
     * The caller waits for the callee's decision.
     *
     * @return the decision, or null if the channel closed first
     */
    static Received await(P2PChannel ch) throws IOException, InterruptedException {
        if (ch.type() == ChannelType.DATA) {
            InputStream in = ch.input();
            int b = in.read();
            return b < 0 ? null : new Received((byte) b, ch);
        }
        Tokens tokens = new Tokens(ch.channelBinding());
        while (true) {
            byte[] d = ch.receiveDatagram();
            if (d == null) {
                return null;
            }
            for (byte code : new byte[] {ACCEPTED, REJECTED, UNKNOWN_APP}) {
                if (Arrays.equals(d, tokens.decision(code))) {
                    ch.sendDatagram(tokens.ack());
                    return new Received(code, new Filtered(ch, tokens, true, null));
                }
            }
            // anything else before the decision is not the application's yet: dropped
        }
    }

    /** The control tokens of one channel. */
    static final class Tokens {
        private final byte[][] decisions = new byte[4][];
        private final byte[] ack;

        Tokens(byte[] binding) {
            for (byte code = ACCEPTED; code <= UNKNOWN_APP; code++) {
                decisions[code] = digest("gcs/decision/v1", binding, new byte[] {code});
            }
            ack = digest("gcs/decision-ack/v1", binding, new byte[0]);
        }

        byte[] decision(byte code) {
            return decisions[code].clone();
        }

        byte[] ack() {
            return ack.clone();
        }

        boolean isAck(byte[] d) {
            return Arrays.equals(d, ack);
        }

        boolean isDecision(byte[] d) {
            return d.length == 32 && (Arrays.equals(d, decisions[ACCEPTED]) || Arrays.equals(d, decisions[REJECTED])
                    || Arrays.equals(d, decisions[UNKNOWN_APP]));
        }

        boolean isControl(byte[] d) {
            return isAck(d) || isDecision(d);
        }

        private static byte[] digest(String label, byte[] binding, byte[] tail) {
            try {
                MessageDigest md = MessageDigest.getInstance("SHA-256");
                md.update(label.getBytes(StandardCharsets.US_ASCII));
                md.update(binding);
                md.update(tail);
                return md.digest();
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    /** A STREAM channel that hides late control tokens from the pipe (the caller acknowledges repeated decisions). */
    static final class Filtered implements P2PChannel {
        private final P2PChannel ch;
        private final Tokens tokens;
        private final boolean caller;
        private byte[] pending;

        Filtered(P2PChannel ch, Tokens tokens, boolean caller, byte[] pending) {
            this.ch = ch;
            this.tokens = tokens;
            this.caller = caller;
            this.pending = pending;
        }

        @Override
        public byte[] receiveDatagram() throws IOException, InterruptedException {
            synchronized (this) {
                if (pending != null) {
                    byte[] d = pending;
                    pending = null;
                    return d;
                }
            }
            while (true) {
                byte[] d = ch.receiveDatagram();
                if (d == null || !tokens.isControl(d)) {
                    return d;
                }
                if (caller && tokens.isDecision(d)) {
                    ch.sendDatagram(tokens.ack()); // our acknowledgement was lost: say it again
                }
            }
        }

        @Override
        public ChannelType type() {
            return ch.type();
        }

        @Override
        public PathKind path() {
            return ch.path();
        }

        @Override
        public byte[] channelBinding() {
            return ch.channelBinding();
        }

        @Override
        public InputStream input() {
            return ch.input();
        }

        @Override
        public OutputStream output() {
            return ch.output();
        }

        @Override
        public int maxDatagramSize() {
            return ch.maxDatagramSize();
        }

        @Override
        public void sendDatagram(byte[] datagram) throws IOException {
            ch.sendDatagram(datagram);
        }

        @Override
        public CompletableFuture<Void> closeFuture() {
            return ch.closeFuture();
        }

        @Override
        public void close() {
            ch.close();
        }
    }
}
