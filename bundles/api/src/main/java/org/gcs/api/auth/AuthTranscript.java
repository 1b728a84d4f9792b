package org.gcs.api.auth;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Objects;
import org.gcs.api.AppId;
import org.gcs.api.DeviceId;
import org.gcs.api.NodeId;
import org.gcs.api.UserId;
import org.gcs.api.transport.ChannelType;

/**
 * The exact bytes a user signs. Each transcript starts with its own context label and then carries its fields
 * length-prefixed, so a signature made for one purpose, node, session or device is never valid for another.
 */
public final class AuthTranscript {
    static final String NODE_LOGIN = "gcs/node-login/v1";
    static final String CONNECT_OFFER = "gcs/connect-offer/v1";
    static final String CONNECT_ANSWER = "gcs/connect-answer/v1";
    static final String SIGNAL = "gcs/signal/v1";

    /**
     * Who connects to whom, as both daemons see it: the ids in a signed offer or answer. The caller fills it from what
     * its application asked for, the callee from the {@code ConnectRequest}; if the node changed any of them, the
     * transcripts differ and the signature fails.
     */
    public record Connection(byte[] connectionId, UserId callerUser, DeviceId callerDevice, AppId callerApp,
            UserId calleeUser, DeviceId calleeDevice, AppId calleeApp, ChannelType type) {
        public Connection {
            connectionId = Objects.requireNonNull(connectionId, "connectionId").clone();
            Objects.requireNonNull(callerUser, "callerUser");
            Objects.requireNonNull(callerDevice, "callerDevice");
            Objects.requireNonNull(callerApp, "callerApp");
            Objects.requireNonNull(calleeUser, "calleeUser");
            Objects.requireNonNull(calleeDevice, "calleeDevice");
            Objects.requireNonNull(calleeApp, "calleeApp");
            Objects.requireNonNull(type, "type");
        }

        @Override
        public byte[] connectionId() {
            return connectionId.clone();
        }

        private byte[][] fields() {
            return new byte[][] {connectionId, utf8(callerUser.toString()), utf8(callerDevice.name()),
                    utf8(callerApp.name()), utf8(calleeUser.toString()), utf8(calleeDevice.name()), utf8(calleeApp.name()),
                    utf8(type.name())};
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Connection c && java.util.Arrays.equals(connectionId, c.connectionId)
                    && callerUser.equals(c.callerUser) && callerDevice.equals(c.callerDevice) && callerApp.equals(c.callerApp)
                    && calleeUser.equals(c.calleeUser) && calleeDevice.equals(c.calleeDevice) && calleeApp.equals(c.calleeApp)
                    && type == c.type;
        }

        @Override
        public int hashCode() {
            return Objects.hash(java.util.Arrays.hashCode(connectionId), callerUser, callerDevice, callerApp, calleeUser,
                    calleeDevice, calleeApp, type);
        }
    }

    private AuthTranscript() {
    }

    /** What a daemon signs to log in to a node: the node's id, the node's fresh nonce, and who is logging in from where. */
    public static byte[] nodeLogin(NodeId node, byte[] nonce, UserId user, DeviceId device) {
        return of(NODE_LOGIN, node.toBytes(), nonce, utf8(user.toString()), utf8(device.name()));
    }

    /**
     * What the caller's user signs for one connect: every id of the connection, the caller's clock in Unix milliseconds
     * (the callee rejects stale or repeated offers), and the transport offer, which carries the caller's session
     * certificate fingerprint and ICE credentials. The secure channel pins that fingerprint, so a completed handshake
     * proves the caller's end holds the key her user signed for, in that channel and no other.
     */
    public static byte[] connectOffer(Connection connection, long timestampMillis, byte[] offer) {
        return of(CONNECT_OFFER, concat(connection.fields(), ByteBuffer.allocate(8).putLong(timestampMillis).array(),
                offer));
    }

    /**
     * What the callee's user signs in answer: the same ids, the SHA-256 of the caller's whole offer transcript (so the
     * answer belongs to that one offer), whether the application's decision follows over the channel, and the transport
     * answer with the callee's certificate fingerprint.
     */
    public static byte[] connectAnswer(Connection connection, byte[] offerTranscriptHash, boolean deferredDecision,
            byte[] answer) {
        return of(CONNECT_ANSWER, concat(connection.fields(), offerTranscriptHash,
                new byte[] {(byte) (deferredDecision ? 1 : 0)}, answer));
    }

    /**
     * What a daemon signs for each signal it trickles during one connect: the connection id, whether the caller sent it,
     * its sequence number in that direction (from 1) and the transport payload. Bound to the connection and direction,
     * numbered so that a replayed or reordered signal is refused.
     */
    public static byte[] signal(byte[] connectionId, boolean fromCaller, long sequence, byte[] payload) {
        return of(SIGNAL, connectionId, new byte[] {(byte) (fromCaller ? 1 : 0)},
                ByteBuffer.allocate(8).putLong(sequence).array(), payload);
    }

    /** SHA-256 of a transcript, as {@link #connectAnswer} takes it. */
    public static byte[] hash(byte[] transcript) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(transcript);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 missing from the JDK", e);
        }
    }

    private static byte[][] concat(byte[][] head, byte[]... tail) {
        byte[][] all = java.util.Arrays.copyOf(head, head.length + tail.length);
        System.arraycopy(tail, 0, all, head.length, tail.length);
        return all;
    }

    /** A transcript for {@code context} over {@code fields}; each field is written as a 4-byte length and its bytes. */
    public static byte[] of(String context, byte[]... fields) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        writeField(out, utf8(context));
        for (byte[] field : fields) {
            writeField(out, field);
        }
        return out.toByteArray();
    }

    private static void writeField(ByteArrayOutputStream out, byte[] field) {
        int n = field.length;
        out.write(n >>> 24);
        out.write(n >>> 16);
        out.write(n >>> 8);
        out.write(n);
        out.write(field, 0, n);
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
