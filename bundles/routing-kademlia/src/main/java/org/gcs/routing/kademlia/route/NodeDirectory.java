package org.gcs.routing.kademlia.route;

import java.lang.System.Logger.Level;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.function.Function;
import org.gcs.api.NodeId;
import org.gcs.api.ProtocolException;
import org.gcs.api.TransportException;
import org.gcs.api.UnknownUserException;
import org.gcs.api.UserId;
import org.gcs.api.routing.NodeAddress;
import org.gcs.routing.kademlia.dht.Contact;
import org.gcs.routing.kademlia.dht.Kademlia;
import org.gcs.routing.kademlia.dht.Key;
import org.gcs.routing.kademlia.link.Link;
import org.gcs.routing.kademlia.link.LinkEndpoint;
import org.gcs.routing.kademlia.route.wire.RouteWire;

/**
 * Who the other nodes are and how to ask them: a user's handlers (by DHT lookup, cached by the DHT), the addresses
 * where nodes take links and daemons, calls over the links, and asking a user's handlers in turn until one answers.
 * Also whether the node may name handlers at all: a node given bootstrap nodes that has not joined them would name
 * itself every user's handler. Thread-safe.
 */
final class NodeDirectory {
    private static final System.Logger LOG = System.getLogger(NodeDirectory.class.getName());
    private static final int MAX_ADDRESS_BOOK = 10_000;

    private final NodeAddress self;
    private final LinkEndpoint endpoint;
    private final Kademlia dht;
    private final int replicas;
    private final Duration callTimeout;
    private final boolean hasSeeds;
    private final ConcurrentMap<NodeId, NodeAddress> daemonAddresses = new ConcurrentHashMap<>();
    private final ConcurrentMap<NodeId, InetSocketAddress> linkAddresses = new ConcurrentHashMap<>();
    private volatile boolean joined;
    private volatile boolean closed;

    NodeDirectory(NodeAddress self, LinkEndpoint endpoint, Kademlia dht, int replicas, Duration callTimeout,
            boolean hasSeeds) {
        this.self = self;
        this.endpoint = endpoint;
        this.dht = dht;
        this.replicas = replicas;
        this.callTimeout = callTimeout;
        this.hasSeeds = hasSeeds;
        daemonAddresses.put(self.id(), self);
    }

    NodeId selfId() {
        return self.id();
    }

    boolean isSelf(Contact node) {
        return node.id().equals(self.id());
    }

    void markJoined() {
        joined = true;
    }

    boolean joined() {
        return joined;
    }

    void markClosed() {
        closed = true;
    }

    boolean closed() {
        return closed;
    }

    /** Whether this node was told of other nodes and has reached none yet: it must not name handlers then. */
    boolean alone() {
        return !joined && hasSeeds && dht.table().size() == 0;
    }

    /** The contacts of {@code user}'s r handlers, closest first (this node among them when it is one). */
    CompletableFuture<List<Contact>> handlerContacts(UserId user) {
        if (closed) {
            return CompletableFuture.failedFuture(new TransportException("node stopped"));
        }
        if (alone()) {
            // alone, a node would name itself every user's handler and split users between two homes
            return CompletableFuture.failedFuture(new TransportException("this node has not joined the other nodes yet"));
        }
        try {
            return dht.closestNodes(Key.ofUser(user), replicas).thenApply(contacts -> {
                contacts.forEach(c -> learnLink(c.id(), c.address()));
                return contacts;
            });
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    /** The handlers of {@code user} as daemons reach them, closest first; see {@link #daemonAddresses}. */
    CompletableFuture<List<NodeAddress>> handlers(UserId user) {
        return handlerContacts(user).thenCompose(contacts -> daemonAddresses(user, contacts));
    }

    /**
     * The daemon-facing addresses of {@code user}'s handlers {@code contacts}: a handler whose address is unknown and
     * cannot be asked is left out; fails when none is left.
     */
    CompletableFuture<List<NodeAddress>> daemonAddresses(UserId user, List<Contact> contacts) {
        List<CompletableFuture<NodeAddress>> addresses = contacts.stream().map(this::daemonAddress).toList();
        return CompletableFuture.allOf(addresses.toArray(CompletableFuture[]::new)).handle((v, e) -> {
            List<NodeAddress> known = new ArrayList<>();
            for (CompletableFuture<NodeAddress> a : addresses) {
                if (!a.isCompletedExceptionally()) {
                    known.add(a.join());
                }
            }
            if (known.isEmpty()) {
                throw new TransportException("no handler of " + user + " is reachable");
            }
            return known;
        });
    }

    private CompletableFuture<NodeAddress> daemonAddress(Contact node) {
        NodeAddress known = daemonAddresses.get(node.id());
        if (known != null) {
            return CompletableFuture.completedFuture(known);
        }
        return call(node, RouteWire.Method.INFO, new byte[0]).thenApply(body -> {
            RouteWire.NodeInfo info = RouteCodec.parse(body, RouteWire.NodeInfo.parser());
            NodeAddress address = new NodeAddress(node.id(), info.getDaemonHost(), info.getDaemonPort());
            rememberDaemonAddress(address);
            return address;
        });
    }

    /** Remembers where node {@code address.id()} takes daemons (it said so when it put presences here). */
    void rememberDaemonAddress(NodeAddress address) {
        remember(daemonAddresses, address.id(), address);
    }

    /** Fails unless {@code peer} is one of {@code user}'s handlers. */
    CompletableFuture<Void> requireHandler(NodeId peer, UserId user) {
        return handlerContacts(user).thenAccept(handlers -> {
            if (handlers.stream().noneMatch(h -> h.id().equals(peer))) {
                throw new ProtocolException("node " + peer + " is not a handler of " + user);
            }
        });
    }

    /** Forgets the cached handlers of {@code user} (one of them turned out dead or wrong). */
    void invalidate(UserId user) {
        dht.invalidate(Key.ofUser(user));
    }

    /**
     * Asks the handlers of {@code user} in turn until one answers: a handler that is unreachable or broken, or does
     * not know the user (it may have joined since her devices put their presences), is passed over.
     */
    <T> CompletableFuture<T> atHandlers(UserId user, Function<Contact, CompletableFuture<T>> ask) {
        return handlerContacts(user).thenCompose(handlers -> askInTurn(user, handlers, 0, ask, null));
    }

    private <T> CompletableFuture<T> askInTurn(UserId user, List<Contact> handlers, int index,
            Function<Contact, CompletableFuture<T>> ask, Throwable last) {
        if (index >= handlers.size()) {
            Throwable failure = last != null ? last : new TransportException("no handler of " + user + " answered");
            return CompletableFuture.failedFuture(failure);
        }
        Contact handler = handlers.get(index);
        CompletableFuture<T> answer;
        try {
            answer = ask.apply(handler);
        } catch (RuntimeException e) {
            answer = CompletableFuture.failedFuture(e);
        }
        return recover(answer, failure -> {
            if (failure instanceof UnknownUserException) {
                return askInTurn(user, handlers, index + 1, ask, failure);
            }
            if (RouteCodec.isRefusal(failure)) {
                return CompletableFuture.failedFuture(failure);
            }
            LOG.log(Level.DEBUG, () -> "handler " + handler + " of " + user + " failed: " + failure);
            invalidate(user);
            Throwable unreachable = last instanceof UnknownUserException ? last
                    : new TransportException("handler " + handler.id() + " of " + user + " unreachable: " + failure.getMessage(), failure);
            return askInTurn(user, handlers, index + 1, ask, unreachable);
        });
    }

    /** One routing call to node {@code to}, with the configured call timeout. */
    CompletableFuture<byte[]> call(Contact to, RouteWire.Method method, byte[] body) {
        return endpoint.call(to.id(), to.address(), method.getNumber(), body, callTimeout);
    }

    /** The open link to {@code node}, if there is one. */
    Optional<Link> existingLink(NodeId node) {
        return endpoint.existingLink(node);
    }

    /** Remembers where node {@code node} takes links (it linked from there, or a lookup named it). */
    void learnLink(NodeId node, InetSocketAddress address) {
        if (address != null && !node.equals(self.id())) {
            remember(linkAddresses, node, address);
        }
    }

    /** Where node {@code node} takes links, if this node has heard; {@code null} if not. */
    InetSocketAddress linkAddress(NodeId node) {
        InetSocketAddress known = linkAddresses.get(node);
        if (known != null) {
            return known;
        }
        return dht.table().find(node).map(Contact::address).orElse(null);
    }

    private static <K, V> void remember(ConcurrentMap<K, V> book, K key, V value) {
        if (book.size() >= MAX_ADDRESS_BOOK && !book.containsKey(key)) {
            book.clear();
        }
        book.put(key, value);
    }

    /** {@code future}, or on failure the future {@code onFailure} makes of its cause (unwrapped). */
    static <T> CompletableFuture<T> recover(CompletableFuture<T> future,
            Function<Throwable, CompletableFuture<T>> onFailure) {
        return future.handle((value, failure) -> failure == null ? CompletableFuture.completedFuture(value)
                : onFailure.apply(RouteCodec.unwrap(failure))).thenCompose(Function.identity());
    }
}
