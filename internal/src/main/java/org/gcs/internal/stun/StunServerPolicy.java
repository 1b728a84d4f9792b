package org.gcs.internal.stun;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.Optional;

/**
 * What the node's STUN server sends back for a well-formed message: it is RFC 8489's basic server (§12), Binding only
 * and without credentials.
 * <ul>
 * <li>Binding request with no unknown comprehension-required attribute: success with XOR-MAPPED-ADDRESS (§6.3.1.1).</li>
 * <li>Binding request with some: 420 (Unknown Attribute) listing them (§6.3.1).</li>
 * <li>Any other method, request or not: discarded, since §6.3 lists "a supported method" among the basic checks whose
 * failure means silent discard; 400 (Bad Request) is for requests that passed those checks.</li>
 * <li>Indications: never answered (§6.3.2). Success and error responses: discarded, as this server has no transaction
 * in progress for them to match (§6.3).</li>
 * <li>USERNAME, USERHASH, REALM, NONCE, MESSAGE-INTEGRITY(-SHA256): ignored as known-but-unexpected (§6.3). The usage
 * specifies no authentication mechanism (§9: "a STUN server on the public Internet supporting ICE would have no
 * authentication"; §12: a basic server SHOULD NOT use credentials), so there is nothing to check them against, and a
 * 401 would demand credentials that do not exist. The response carries no MESSAGE-INTEGRITY; a client that insisted
 * on one discards it (§9.1.4, §9.2.5), which is that client's choice.</li>
 * <li>Every response ends with FINGERPRINT, whether the request had one or not: it costs 8 bytes, any client may ignore
 * it (comprehension-optional), and it helps the clients that matter here, whose ICE sockets carry STUN and QUIC
 * together, tell the two apart (§7).</li>
 * <li>No SOFTWARE attribute (a SHOULD in §6.3.1.1): the responder answers anyone, and the name and version of the
 * software would tell them more than they need.</li>
 * </ul>
 */
final class StunServerPolicy {
    private StunServerPolicy() {
    }

    /** The response to {@code message} received from {@code sender}, or empty when it gets none. */
    static Optional<ByteBuffer> answer(StunMessage message, InetSocketAddress sender) {
        if (message.method() != StunCodec.BINDING || message.messageClass() != StunMessage.MessageClass.REQUEST) {
            return Optional.empty();
        }
        if (!message.unknownRequired().isEmpty()) {
            return Optional.of(StunCodec.bindingUnknownAttributes(message.transactionId(), message.unknownRequired()));
        }
        return Optional.of(StunCodec.bindingSuccess(message.transactionId(), sender));
    }
}
