package org.gcs.internal.stun;

import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;

/**
 * One well-formed STUN message as the responder needs it: method, class, transaction id, and the comprehension-required
 * attribute types it carried that this server does not understand (in order of first appearance, each once).
 */
public record StunMessage(int method, MessageClass messageClass, byte[] transactionId, List<Integer> unknownRequired) {

    /** The two class bits of the message type (RFC 8489 §5). */
    public enum MessageClass {
        REQUEST, INDICATION, SUCCESS_RESPONSE, ERROR_RESPONSE;

        static MessageClass ofBits(int bits) {
            return values()[bits];
        }
    }

    public StunMessage {
        transactionId = transactionId.clone();
        unknownRequired = List.copyOf(unknownRequired);
    }

    @Override
    public byte[] transactionId() {
        return transactionId.clone();
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof StunMessage m && method == m.method && messageClass == m.messageClass
                && Arrays.equals(transactionId, m.transactionId) && unknownRequired.equals(m.unknownRequired);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(transactionId) + method;
    }

    @Override
    public String toString() {
        return "STUN " + messageClass + " method 0x" + Integer.toHexString(method) + " transaction "
                + HexFormat.of().formatHex(transactionId)
                + (unknownRequired.isEmpty() ? "" : " unknown attributes " + unknownRequired.stream()
                        .map(t -> String.format("0x%04x", t)).toList());
    }
}
