package org.gcs.routing.kademlia;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.gcs.api.NodeId;
import org.gcs.api.ProtocolException;
import org.gcs.routing.kademlia.link.LinkConfig;
import org.gcs.routing.kademlia.link.LinkEndpoint;
import org.gcs.routing.kademlia.link.NodeKeys;
import org.gcs.routing.kademlia.link.RequestHandler;
import org.gcs.routing.kademlia.link.TestKeys;
import org.gcs.routing.kademlia.route.KademliaNode;
import org.gcs.routing.kademlia.route.wire.RouteWire;

/**
 * Test fixture: a node with fresh keys on 127.0.0.1 that speaks the real link and route protocols but answers other
 * nodes' calls with whatever {@link RequestHandler} a test gives it, and sends whatever bodies a test builds. It counts
 * the calls it receives per method.
 */
final class HostileNode implements AutoCloseable {
    /** Answers every call FAILED: a node that never helps. */
    static final RequestHandler REFUSE_ALL = (peer, address, method, body) ->
            CompletableFuture.failedFuture(new ProtocolException("no"));

    private static final Duration CALL_TIMEOUT = Duration.ofSeconds(5);

    private final NodeKeys keys;
    private final LinkEndpoint endpoint;
    private final ConcurrentMap<Integer, AtomicInteger> received = new ConcurrentHashMap<>();

    private HostileNode(NodeKeys keys, LinkConfig config, RequestHandler behaviour) throws IOException {
        this.keys = keys;
        this.endpoint = LinkEndpoint.builder(keys, (peer, address, method, body) -> {
            received.computeIfAbsent(method, m -> new AtomicInteger()).incrementAndGet();
            return behaviour.handle(peer, address, method, body);
        }).config(config).listen("127.0.0.1", 0).start();
    }

    static HostileNode start(RequestHandler behaviour) throws IOException {
        return start(LinkConfig.defaults(), behaviour);
    }

    static HostileNode start(LinkConfig config, RequestHandler behaviour) throws IOException {
        return new HostileNode(TestKeys.generate(), config, behaviour);
    }

    NodeId id() {
        return keys.id();
    }

    InetSocketAddress linkAddress() {
        return endpoint.listenAddress();
    }

    LinkEndpoint endpoint() {
        return endpoint;
    }

    /** How many calls of {@code method} other nodes made on this node. */
    int received(RouteWire.Method method) {
        AtomicInteger n = received.get(method.getNumber());
        return n == null ? 0 : n.get();
    }

    /** Calls {@code method} (a raw number, so unknown ones too) on {@code node} with {@code body}. */
    CompletableFuture<byte[]> call(KademliaNode node, int method, byte[] body) {
        return endpoint.link(node.id(), node.linkAddress()).thenCompose(link -> link.call(method, body, CALL_TIMEOUT));
    }

    CompletableFuture<byte[]> call(KademliaNode node, RouteWire.Method method, byte[] body) {
        return call(node, method.getNumber(), body);
    }

    /** Calls and waits (bounded); the answer's body, or an {@link AssertionError} naming the failure. */
    byte[] await(KademliaNode node, RouteWire.Method method, byte[] body) {
        try {
            return call(node, method, body).get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new AssertionError(method + " on " + node.id() + " failed", e);
        }
    }

    /** Makes {@code node} learn this node as a DHT contact, as a joining node does: a ping and a lookup of its own id. */
    void join(KademliaNode node) {
        await(node, RouteWire.Method.PING, new byte[0]);
        await(node, RouteWire.Method.FIND_NODE,
                RouteWire.FindNode.newBuilder().setKey(ByteString.copyFrom(id().toBytes())).build().toByteArray());
    }

    /** The route-level answer code of a body. */
    static RouteWire.Code code(byte[] answer) {
        try {
            return RouteWire.Answer.parseFrom(answer).getCode();
        } catch (InvalidProtocolBufferException e) {
            throw new AssertionError("not an Answer", e);
        }
    }

    @Override
    public void close() {
        endpoint.close();
    }
}
