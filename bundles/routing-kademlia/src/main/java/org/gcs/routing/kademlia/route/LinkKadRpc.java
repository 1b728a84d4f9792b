package org.gcs.routing.kademlia.route;

import com.google.protobuf.ByteString;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.gcs.routing.kademlia.dht.Contact;
import org.gcs.routing.kademlia.dht.KadRpc;
import org.gcs.routing.kademlia.dht.Key;
import org.gcs.routing.kademlia.link.LinkEndpoint;
import org.gcs.routing.kademlia.route.wire.RouteWire;

/**
 * The DHT's two requests carried over node links: {@code FIND_NODE} and {@code PING} of {@code route.proto}, each with
 * its own timeout. A contact in an answer that does not decode fails the whole answer (the peer is broken or lying),
 * which the lookup counts as a failed query. Thread-safe.
 */
final class LinkKadRpc implements KadRpc {
    private final LinkEndpoint endpoint;
    private final Duration timeout;
    private final int maxContacts;

    LinkKadRpc(LinkEndpoint endpoint, Duration timeout, int maxContacts) {
        this.endpoint = endpoint;
        this.timeout = timeout;
        this.maxContacts = maxContacts;
    }

    @Override
    public CompletableFuture<List<Contact>> findNode(Contact to, Key target) {
        byte[] request = RouteWire.FindNode.newBuilder().setKey(ByteString.copyFrom(target.toBytes())).build().toByteArray();
        return call(to, RouteWire.Method.FIND_NODE, request).thenApply(body -> {
            RouteWire.Contacts answer = RouteCodec.parse(body, RouteWire.Contacts.parser());
            List<Contact> contacts = new ArrayList<>();
            for (RouteWire.Contact contact : answer.getContactsList()) {
                if (contacts.size() == maxContacts) {
                    break;
                }
                contacts.add(RouteCodec.contact(contact));
            }
            return contacts;
        });
    }

    @Override
    public CompletableFuture<Void> ping(Contact to) {
        return call(to, RouteWire.Method.PING, new byte[0]).thenApply(body -> null);
    }

    private CompletableFuture<byte[]> call(Contact to, RouteWire.Method method, byte[] body) {
        return endpoint.call(to.id(), to.address(), method.getNumber(), body, timeout);
    }
}
