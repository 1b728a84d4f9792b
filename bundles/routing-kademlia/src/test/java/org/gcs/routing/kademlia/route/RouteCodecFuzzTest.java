package org.gcs.routing.kademlia.route;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.netty.util.NetUtil;
import java.util.Arrays;
import org.gcs.api.DeviceOfflineException;
import org.gcs.api.ProtocolException;
import org.gcs.api.RefusedException;
import org.gcs.api.TransportException;
import org.gcs.api.UnknownUserException;
import org.gcs.routing.kademlia.dht.Contact;
import org.gcs.routing.kademlia.route.wire.RouteWire;
import org.junit.jupiter.api.Timeout;

/**
 * Fuzzes the bodies of node-to-node calls as the route package reads them: byte 0 picks the message (Contacts of a
 * FIND_NODE answer, Routed, Devices, PresenceCheck, PresencePut, PresenceDrop, Replaced, Answer), the rest is its
 * body, which goes through {@link RouteCodec#parse} and the decode methods the handler of that call uses. Properties:
 * the only failure is {@link ProtocolException}, plus, for an Answer, the refusal its code names; a decoded contact's
 * address is an IP literal, never a name looked up in DNS. Hangs are caught by the per-input {@link Timeout}. Seeds:
 * {@code src/test/resources/org/gcs/routing/kademlia/route/RouteCodecFuzzTestInputs/body/}.
 */
@Timeout(10)
class RouteCodecFuzzTest {
    private static final org.gcs.api.NodeId NODE = org.gcs.api.NodeId.of(new byte[org.gcs.api.NodeId.LENGTH]);

    @FuzzTest
    void body(byte[] input) {
        if (input.length == 0) {
            return;
        }
        byte[] body = Arrays.copyOfRange(input, 1, input.length);
        try {
            decode(Byte.toUnsignedInt(input[0]) % 8, body);
        } catch (ProtocolException rejected) {
            // the documented answer to a malformed body
        }
    }

    private static void decode(int message, byte[] body) {
        switch (message) {
            case 0 -> {
                for (RouteWire.Contact contact : RouteCodec.parse(body, RouteWire.Contacts.parser()).getContactsList()) {
                    assertLiteral(contact, RouteCodec.contact(contact));
                }
            }
            case 1 -> RouteCodec.message(RouteCodec.parse(body, RouteWire.Routed.parser()));
            case 2 -> {
                RouteWire.Devices devices = RouteCodec.parse(body, RouteWire.Devices.parser());
                RouteCodec.endpoint(devices.getRequester());
                RouteCodec.user(devices.getTarget());
            }
            case 3 -> {
                RouteWire.PresenceCheck check = RouteCodec.parse(body, RouteWire.PresenceCheck.parser());
                RouteCodec.endpoint(check.getDevice());
                RouteCodec.node(check.getNode());
            }
            case 4 -> {
                PresenceParts parts = new PresenceParts();
                for (RouteWire.Presence presence : RouteCodec.parse(body, RouteWire.PresencePut.parser()).getPresencesList()) {
                    RouteCodec.endpoint(presence.getDevice());
                    RouteCodec.policy(presence);
                    parts.add(NODE, presence, 0); // a whole presence back, or held, or ProtocolException
                }
            }
            case 5 -> RouteCodec.endpoint(RouteCodec.parse(body, RouteWire.PresenceDrop.parser()).getDevice());
            case 6 -> {
                RouteWire.Replaced replaced = RouteCodec.parse(body, RouteWire.Replaced.parser());
                RouteCodec.endpoint(replaced.getDevice());
                RouteCodec.node(replaced.getNewNode());
            }
            default -> {
                try {
                    RouteCodec.devices(RouteCodec.parseAnswer(body));
                } catch (UnknownUserException | DeviceOfflineException | RefusedException | TransportException refusal) {
                    // an answer other than OK becomes the exception its code names
                }
            }
        }
    }

    private static void assertLiteral(RouteWire.Contact sent, Contact decoded) {
        String host = sent.getHost();
        assertFalse(decoded.address().isUnresolved(), () -> "contact host " + host + " left unresolved");
        assertTrue(NetUtil.isValidIpV4Address(host) || NetUtil.isValidIpV6Address(host),
                () -> "contact host " + host + " is not an IP literal but became " + decoded.address());
    }
}
