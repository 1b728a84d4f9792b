package org.gcs.routing.kademlia.route;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.gcs.api.DeviceId;
import org.gcs.api.DeviceOfflineException;
import org.gcs.api.NodeId;
import org.gcs.api.ProtocolException;
import org.gcs.api.TransportException;
import org.gcs.api.UnknownUserException;
import org.gcs.api.UserId;
import org.gcs.api.node.NodeIdentity;
import org.gcs.api.routing.DeviceSink;
import org.gcs.api.routing.Endpoint;
import org.gcs.api.routing.HandlerRules;
import org.gcs.api.routing.NodeAddress;
import org.gcs.api.routing.Presence;
import org.gcs.api.routing.RoutedMessage;
import org.gcs.routing.kademlia.dht.Contact;
import org.gcs.routing.kademlia.dht.ExecutorScheduler;
import org.gcs.routing.kademlia.dht.Kademlia;
import org.gcs.routing.kademlia.dht.KadConfig;
import org.gcs.routing.kademlia.dht.Key;
import org.gcs.routing.kademlia.link.Link;
import org.gcs.routing.kademlia.link.LinkClosedException;
import org.gcs.routing.kademlia.link.LinkConfig;
import org.gcs.routing.kademlia.link.LinkEndpoint;
import org.gcs.routing.kademlia.link.NodeKeys;
import org.gcs.routing.kademlia.route.wire.RouteWire;

/**
 * One running GCS node of a Kademlia deployment: its node links, its DHT node, the devices attached here and the
 * presences it keeps as a handler of their users.
 *
 * <p>How a message travels. A user's handlers are the {@code r} nodes closest to her key. Each node a device is
 * attached to puts the device's presence at all her handlers (at attach, then every republish interval; a handler
 * forgets it after three intervals). A connect request goes from the caller's node to the callee's first reachable
 * handler ({@code ROUTE}), which checks that the caller is attached where the request came from and applies the
 * callee's friends policy ({@link HandlerRules}), then hands it to the node the callee's device is attached to
 * ({@code DELIVER}). Later messages of the connect carry the other end's node as a hint and go node to node with no
 * lookup; a node accepts a direct message only for a connection its device has (the node core checks that), and
 * falls back to the handlers when the hint is stale.
 *
 * <p>Threads: every method is non-blocking except {@link #start} and {@link #close}. Requests from other nodes run on
 * the link event loops; periodic work on one timer thread. State is in concurrent maps and {@link HandledPresences}.
 */
public final class KademliaNode implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(KademliaNode.class.getName());
    private static final int MAX_ADDRESS_BOOK = 10_000;
    private static final long VERIFIED_MILLIS = 30_000;

    /**
     * How a node runs.
     *
     * @param linkHost where the link listener binds
     * @param linkPort its port (0: any free port)
     * @param advertisedLinkHost the host other nodes dial for links ({@code null}: the bind host, or the daemon
     *     address's host when binding a wildcard)
     * @param bootstrap other nodes' link addresses to join through
     * @param replicas r, how many handlers a user has
     * @param callTimeout the timeout of one routing call to another node
     * @param republish how often the presences of the devices attached here are put again at their handlers
     * @param maxPresencesPerNode how many presences one other node may keep at this node as a handler
     */
    public record Settings(String linkHost, int linkPort, String advertisedLinkHost, List<NodeAddress> bootstrap,
            int replicas, KadConfig kad, LinkConfig link, Duration callTimeout, Duration republish,
            int maxPresencesPerNode) {
        public Settings {
            Objects.requireNonNull(linkHost, "linkHost");
            bootstrap = List.copyOf(bootstrap);
            Objects.requireNonNull(kad, "kad");
            Objects.requireNonNull(link, "link");
            if (replicas < 1 || replicas > kad.k()) {
                throw new IllegalArgumentException("replicas must be in [1, k=" + kad.k() + "]: " + replicas);
            }
            if (linkPort < 0 || linkPort > 65535) {
                throw new IllegalArgumentException("link port out of range: " + linkPort);
            }
        }
    }

    /** A device attached at this node: what it told the node and its door. */
    private record Attachment(Presence presence, DeviceSink sink) {
    }

    /** A claim that a device is attached at a node, checked with one of its user's handlers. */
    private record Claim(Endpoint device, NodeId node) {
    }

    private final NodeIdentity identity;
    private final NodeAddress self;
    private final Settings settings;
    private final ConcurrentMap<Endpoint, Attachment> attached = new ConcurrentHashMap<>();
    private final HandledPresences handled;
    private final ConcurrentMap<NodeId, NodeAddress> daemonAddresses = new ConcurrentHashMap<>();
    private final ConcurrentMap<NodeId, InetSocketAddress> linkAddresses = new ConcurrentHashMap<>();
    private final ConcurrentMap<Claim, Long> verified = new ConcurrentHashMap<>();
    private final ScheduledExecutorService timer;
    private final LinkEndpoint endpoint;
    private final Kademlia dht;
    private final Contact selfContact;
    private final boolean hasSeeds;
    /** Peers with an open link that has sent this node a request; a peer new to it may be a restarted handler. */
    private final java.util.Set<NodeId> linkedPeers = ConcurrentHashMap.newKeySet();
    private final java.util.concurrent.atomic.AtomicLong lastPromptRepublish = new java.util.concurrent.atomic.AtomicLong();
    /** The message a device last sent to each other device, not yet delivered: the next waits for it (order). */
    private final ConcurrentMap<List<Endpoint>, CompletableFuture<Void>> lanes = new ConcurrentHashMap<>();
    private volatile boolean joined;
    private volatile boolean closed;

    private KademliaNode(NodeIdentity identity, NodeAddress self, Settings settings) throws IOException {
        this.identity = identity;
        this.self = self;
        this.settings = settings;
        this.handled = new HandledPresences(settings.maxPresencesPerNode());
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "gcs-kademlia-" + identity.id().toString().substring(0, 8));
            t.setDaemon(true);
            return t;
        });
        String advertised = settings.advertisedLinkHost() != null && !settings.advertisedLinkHost().isBlank()
                ? settings.advertisedLinkHost()
                : isWildcard(settings.linkHost()) ? self.host() : settings.linkHost();
        try {
            this.endpoint = LinkEndpoint.builder(new NodeKeys(identity.privateKey(), identity.certificate()), this::onRequest)
                    .config(settings.link())
                    .listen(settings.linkHost(), settings.linkPort())
                    .advertisedHost(advertised)
                    .start();
        } catch (IOException | RuntimeException e) {
            timer.shutdownNow();
            throw e;
        }
        this.selfContact = new Contact(identity.id(), new InetSocketAddress(advertised, endpoint.listenAddress().getPort()));
        this.dht = new Kademlia(selfContact, settings.kad(),
                new LinkKadRpc(endpoint, settings.callTimeout(), settings.kad().k()),
                new ExecutorScheduler(timer), new SplittableRandom());
        daemonAddresses.put(self.id(), self);
        this.hasSeeds = settings.bootstrap().stream().anyMatch(seed -> !seed.id().equals(self.id()));
    }

    /**
     * Binds the link listener, then joins the DHT through the bootstrap nodes in the background (retrying every few
     * seconds while none answers) and starts republishing.
     *
     * @param self this node's daemon-facing address (its id is the identity's)
     */
    public static KademliaNode start(NodeIdentity identity, NodeAddress self, Settings settings) throws IOException {
        if (!identity.id().equals(self.id())) {
            throw new IllegalArgumentException("the node address " + self + " is not this node's " + identity.id());
        }
        KademliaNode node = new KademliaNode(identity, self, settings);
        node.join(Duration.ofMillis(500));
        long every = settings.republish().toMillis();
        node.timer.scheduleWithFixedDelay(node::republish, every, every, TimeUnit.MILLISECONDS);
        LOG.log(Level.INFO, () -> "kademlia node " + self.id() + " links at " + node.selfContact.address()
                + ", joining through " + settings.bootstrap().size() + " bootstrap node(s)");
        return node;
    }

    private void join(Duration retryAfter) {
        List<Contact> seeds = new ArrayList<>();
        for (NodeAddress seed : settings.bootstrap()) {
            if (!seed.id().equals(self.id())) {
                seeds.add(new Contact(seed.id(), new InetSocketAddress(seed.host(), seed.port())));
            }
        }
        // open the links to the seeds first, with the full call timeout: a first TLS handshake in a JVM that just
        // started can take longer than the lookup's slow-query threshold, which would end the join with nothing
        List<CompletableFuture<Link>> opened = new ArrayList<>();
        seeds.forEach(seed -> opened.add(endpoint.link(seed.id(), seed.address())));
        CompletableFuture.allOf(opened.toArray(CompletableFuture[]::new)).handle((v, e) -> null)
                .thenCompose(v -> dht.bootstrap(seeds)).whenComplete((ok, failure) -> {
            if (closed) {
                return;
            }
            if (failure == null) {
                joined = true;
                LOG.log(Level.INFO, () -> "kademlia node " + self.id().toString().substring(0, 8) + " joined: "
                        + dht.table().size() + " contacts");
            } else {
                Duration next = retryAfter.multipliedBy(2).compareTo(Duration.ofSeconds(30)) > 0 ? Duration.ofSeconds(30)
                        : retryAfter.multipliedBy(2);
                LOG.log(Level.WARNING, () -> "kademlia node could not join yet (" + RouteCodec.unwrap(failure).getMessage()
                        + "); trying again in " + retryAfter.toMillis() + " ms");
                schedule(retryAfter, () -> join(next));
            }
        });
    }

    private void schedule(Duration delay, Runnable task) {
        try {
            timer.schedule(task, delay.toMillis(), TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            // closing
        }
    }

    // ----- what the Router asks

    /** The handlers of {@code user} as daemons reach them, closest first; a handler whose address is unknown and cannot be asked is left out. */
    public CompletableFuture<List<NodeAddress>> handlers(UserId user) {
        return handlerContacts(user).thenCompose(contacts -> {
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
        });
    }

    public CompletableFuture<Void> attach(Presence presence, DeviceSink sink) {
        if (!presence.node().equals(self.id())) {
            return CompletableFuture.failedFuture(new ProtocolException(
                    "attach of " + presence.device() + " at node " + presence.node() + ", not at this node"));
        }
        Attachment previous = attached.put(presence.device(), new Attachment(presence, sink));
        if (previous != null && previous.sink() != sink) {
            previous.sink().replaced(self.id());
        }
        return publish(presence.device().user(), List.of(presence));
    }

    public CompletableFuture<Void> detach(Endpoint device, DeviceSink sink) {
        Attachment current = attached.get(device);
        if (current == null || current.sink() != sink || !attached.remove(device, current)) {
            return CompletableFuture.completedFuture(null);
        }
        byte[] drop = RouteWire.PresenceDrop.newBuilder().setDevice(RouteCodec.device(device)).build().toByteArray();
        return handlerContacts(device.user()).thenCompose(contacts -> {
            List<CompletableFuture<?>> drops = new ArrayList<>();
            for (Contact handler : contacts) {
                if (handler.id().equals(self.id())) {
                    handled.remove(device, self.id());
                } else {
                    drops.add(call(handler, RouteWire.Method.PRESENCE_DROP, drop));
                }
            }
            return CompletableFuture.allOf(drops.toArray(CompletableFuture[]::new));
        }).handle((v, e) -> null);
    }

    public CompletableFuture<List<DeviceId>> devices(Endpoint requester, UserId target) {
        byte[] request = RouteWire.Devices.newBuilder().setRequester(RouteCodec.device(requester))
                .setTarget(target.toString()).build().toByteArray();
        return atHandlers(target, handler -> handler.id().equals(self.id())
                ? CompletableFuture.completedFuture(HandlerRules.visibleDevices(target, handled.presences(target), requester.user()))
                : call(handler, RouteWire.Method.DEVICES, request)
                        .thenApply(body -> RouteCodec.devices(RouteCodec.parseAnswer(body))));
    }

    public CompletableFuture<Void> deliver(RoutedMessage message) {
        if (!message.origin().equals(self.id())) {
            return CompletableFuture.failedFuture(new ProtocolException(
                    "message from node " + message.origin() + " handed to the router of node " + self.id()));
        }
        if (!attached.containsKey(message.from())) {
            return CompletableFuture.failedFuture(new ProtocolException(
                    "sender " + message.from() + " is not attached to node " + message.origin()));
        }
        return inOrder(message);
    }

    /**
     * Sends {@code message} once the previous message from its sender to its recipient was delivered (or failed):
     * messages take different paths (a request through the handlers, later ones straight to the node) and would
     * otherwise overtake each other, and a signal that arrives before its connect request is dropped.
     */
    private CompletableFuture<Void> inOrder(RoutedMessage message) {
        List<Endpoint> lane = List.of(message.from(), message.to());
        CompletableFuture<Void> mine = new CompletableFuture<>(); // completes, always normally, when this one is done
        CompletableFuture<Void> previous = lanes.put(lane, mine);
        CompletableFuture<Void> turn = previous == null ? CompletableFuture.completedFuture(null) : previous;
        CompletableFuture<Void> sent = turn.thenCompose(v -> send(message));
        sent.whenComplete((v, failure) -> {
            lanes.remove(lane, mine);
            mine.complete(null);
        });
        return sent;
    }

    private CompletableFuture<Void> send(RoutedMessage message) {
        NodeId hint = message.toNode();
        if (message.kind() == RoutedMessage.Kind.CONNECT_REQUEST || hint == null) {
            return viaHandlers(message);
        }
        CompletableFuture<Void> direct;
        if (hint.equals(self.id())) {
            direct = deliverHere(message);
        } else {
            InetSocketAddress link = linkAddress(hint);
            if (link == null) {
                return viaHandlers(message);
            }
            direct = call(new Contact(hint, link), RouteWire.Method.DELIVER, RouteCodec.routed(message).toByteArray())
                    .thenAccept(RouteCodec::parseAnswer);
        }
        // a stale hint (the device moved, or its node died) falls back to the handlers, which know where it is now
        return recover(direct, failure -> failure instanceof DeviceOfflineException || !RouteCodec.isRefusal(failure)
                ? viaHandlers(message) : CompletableFuture.failedFuture(failure));
    }

    private CompletableFuture<Void> viaHandlers(RoutedMessage message) {
        byte[] routed = RouteCodec.routed(message).toByteArray();
        return atHandlers(message.to().user(), handler -> handler.id().equals(self.id())
                ? routeAsHandler(message)
                : call(handler, RouteWire.Method.ROUTE, routed).thenAccept(RouteCodec::parseAnswer));
    }

    /**
     * Asks the handlers of {@code user} in turn until one answers: a handler that is unreachable or broken, or does
     * not know the user (it may have joined since her devices put their presences), is passed over.
     */
    private <T> CompletableFuture<T> atHandlers(UserId user, Function<Contact, CompletableFuture<T>> ask) {
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
            dht.invalidate(Key.ofUser(user));
            Throwable unreachable = last instanceof UnknownUserException ? last
                    : new TransportException("handler " + handler.id() + " of " + user + " unreachable: " + failure.getMessage(), failure);
            return askInTurn(user, handlers, index + 1, ask, unreachable);
        });
    }

    // ----- the handler's part

    /** At a handler of the recipient: applies her policies and hands the message to the node her device is at. */
    private CompletableFuture<Void> routeAsHandler(RoutedMessage message) {
        Endpoint to = message.to();
        HandledPresences.Entry target;
        if (message.kind() == RoutedMessage.Kind.CONNECT_REQUEST) {
            Presence admitted = HandlerRules.admitConnect(handled.presences(to.user()), message.from(), to);
            target = handled.entry(admitted.device());
        } else {
            if (handled.presences(to.user()).isEmpty()) {
                throw new UnknownUserException("no device of " + to.user() + " is online");
            }
            target = handled.entry(to);
        }
        if (target == null) {
            throw new DeviceOfflineException(to + " is not online");
        }
        if (target.node().equals(self.id())) {
            return deliverHere(message);
        }
        HandledPresences.Entry at = target;
        return call(new Contact(at.node(), at.nodeLink()), RouteWire.Method.DELIVER, RouteCodec.routed(message).toByteArray())
                .thenAccept(RouteCodec::parseAnswer)
                .exceptionallyCompose(failure -> {
                    Throwable cause = RouteCodec.unwrap(failure);
                    if (RouteCodec.isRefusal(cause)) {
                        return CompletableFuture.failedFuture(cause);
                    }
                    if (cause instanceof LinkClosedException && !endpoint.existingLink(at.node()).isPresent()) {
                        int dropped = handled.removeNode(at.node());
                        LOG.log(Level.INFO, () -> "node " + at.node() + " is unreachable: forgot its " + dropped + " presences");
                    }
                    return CompletableFuture.failedFuture(
                            new DeviceOfflineException(to + " is not reachable at its node: " + cause.getMessage(), cause));
                });
    }

    private CompletableFuture<Void> deliverHere(RoutedMessage message) {
        Attachment target = attached.get(message.to());
        if (target == null) {
            return CompletableFuture.failedFuture(new DeviceOfflineException(message.to() + " is not attached here"));
        }
        try {
            CompletableFuture<Void> delivered = target.sink().deliver(message);
            return delivered != null ? delivered : CompletableFuture.failedFuture(new IllegalStateException("sink answered null"));
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    /**
     * Whether {@code device} is attached at {@code node}: known here when this node is that node or a handler holding
     * the presence, else asked of the device user's other handlers (a positive answer is remembered 30 s). A node is
     * never asked to vouch for itself, unless it is the user's only handler.
     */
    private CompletableFuture<Boolean> isAttachedAt(Endpoint device, NodeId node) {
        if (node.equals(self.id())) {
            return CompletableFuture.completedFuture(attached.containsKey(device));
        }
        Claim claim = new Claim(device, node);
        Long until = verified.get(claim);
        if (handled.isAttachedAt(device, node) || until != null && until > System.currentTimeMillis()) {
            return CompletableFuture.completedFuture(true);
        }
        byte[] check = RouteWire.PresenceCheck.newBuilder().setDevice(RouteCodec.device(device))
                .setNode(RouteCodec.bytes(node)).build().toByteArray();
        return handlerContacts(device.user()).thenCompose(handlers -> {
            List<Contact> others = handlers.stream()
                    .filter(h -> !h.id().equals(node) && !h.id().equals(self.id())).toList();
            if (others.isEmpty()) {
                boolean selfIsHandler = handlers.stream().anyMatch(h -> h.id().equals(self.id()));
                return CompletableFuture.completedFuture(!selfIsHandler);
            }
            return askForClaim(device.user(), others, 0, check, false);
        }).thenApply(yes -> {
            if (yes) {
                if (verified.size() > MAX_ADDRESS_BOOK * 10) {
                    verified.clear();
                }
                verified.put(claim, System.currentTimeMillis() + VERIFIED_MILLIS);
            }
            return yes;
        });
    }

    /**
     * Asks {@code handlers} in turn whether the claim holds: true at the first yes, false once every one answered or
     * some said no; fails with {@link TransportException} when none could be asked (the claim cannot be checked now).
     */
    private CompletableFuture<Boolean> askForClaim(UserId user, List<Contact> handlers, int index, byte[] check,
            boolean someAnswered) {
        if (index >= handlers.size()) {
            return someAnswered ? CompletableFuture.completedFuture(false)
                    : CompletableFuture.failedFuture(new TransportException("no handler of " + user + " can vouch now"));
        }
        return call(handlers.get(index), RouteWire.Method.PRESENCE_CHECK, check)
                .handle((body, failure) -> {
                    if (failure == null) {
                        try {
                            RouteCodec.parseAnswer(body);
                            return Boolean.TRUE;
                        } catch (RuntimeException no) {
                            return RouteCodec.isRefusal(no) ? Boolean.FALSE : null;
                        }
                    }
                    return null; // unreachable or broken
                })
                .thenCompose(answer -> {
                    if (answer == null) {
                        dht.invalidate(Key.ofUser(user));
                    }
                    return Boolean.TRUE.equals(answer) ? CompletableFuture.completedFuture(true)
                            : askForClaim(user, handlers, index + 1, check, someAnswered || answer != null);
                });
    }

    // ----- presences at the handlers

    /** Puts {@code presences} (devices of {@code user} attached here) at her handlers; fails if none took them. */
    private CompletableFuture<Void> publish(UserId user, List<Presence> presences) {
        long ttlSeconds = Math.max(1, settings.republish().toSeconds() * 3 + 5);
        RouteWire.PresencePut.Builder put = RouteWire.PresencePut.newBuilder()
                .setTtlSeconds((int) ttlSeconds)
                .setNode(RouteWire.NodeInfo.newBuilder().setDaemonHost(self.host()).setDaemonPort(self.port()));
        presences.forEach(p -> put.addPresences(RouteCodec.presence(p.device(), p.friends())));
        byte[] body = put.build().toByteArray();
        return handlerContacts(user).thenCompose(handlers -> {
            List<CompletableFuture<Void>> puts = new ArrayList<>();
            for (Contact handler : handlers) {
                if (handler.id().equals(self.id())) {
                    puts.add(store(presences, selfContact.address(), ttlSeconds));
                } else {
                    puts.add(call(handler, RouteWire.Method.PRESENCE_PUT, body).thenAccept(RouteCodec::parseAnswer));
                }
            }
            return CompletableFuture.allOf(puts.toArray(CompletableFuture[]::new)).handle((v, e) -> {
                long stored = puts.stream().filter(p -> !p.isCompletedExceptionally()).count();
                if (stored < puts.size()) {
                    dht.invalidate(Key.ofUser(user)); // a handler is gone: the next republish looks them up anew
                }
                if (stored == 0) {
                    throw new TransportException("no handler of " + user + " took the presence of its devices");
                }
                return null;
            });
        });
    }

    /** Stores presences put by their node; tells the node a device left that it is attached elsewhere now. */
    private CompletableFuture<Void> store(List<Presence> presences, InetSocketAddress nodeLink, long ttlSeconds) {
        long expires = System.currentTimeMillis() + ttlSeconds * 1000;
        List<CompletableFuture<Void>> told = new ArrayList<>();
        for (Presence presence : presences) {
            HandledPresences.Entry previous = handled.put(presence, nodeLink, expires);
            if (previous != null && !previous.node().equals(presence.node())) {
                told.add(tellReplaced(previous, presence.node()));
            }
        }
        return CompletableFuture.allOf(told.toArray(CompletableFuture[]::new));
    }

    private CompletableFuture<Void> tellReplaced(HandledPresences.Entry previous, NodeId now) {
        Endpoint device = previous.presence().device();
        if (previous.node().equals(self.id())) {
            replacedHere(device, now);
            return CompletableFuture.completedFuture(null);
        }
        byte[] body = RouteWire.Replaced.newBuilder().setDevice(RouteCodec.device(device)).setNewNode(RouteCodec.bytes(now))
                .build().toByteArray();
        return call(new Contact(previous.node(), previous.nodeLink()), RouteWire.Method.REPLACED, body)
                .handle((v, e) -> null);
    }

    private void replacedHere(Endpoint device, NodeId now) {
        Attachment gone = attached.remove(device);
        if (gone != null) {
            LOG.log(Level.DEBUG, () -> device + " attached at " + now + ": its attachment here is over");
            gone.sink().replaced(now);
        }
    }

    /** Every republish interval: forgets expired presences, puts this node's again, and moves users it no longer handles. */
    private void republish() {
        try {
            long now = System.currentTimeMillis();
            handled.expire(now);
            verified.values().removeIf(until -> until < now);
            if (!joined && !settings.bootstrap().isEmpty() && dht.table().size() == 0) {
                return;
            }
            Map<UserId, List<Attachment>> byUser = new HashMap<>();
            attached.values().forEach(a -> byUser.computeIfAbsent(a.presence().device().user(), u -> new ArrayList<>()).add(a));
            byUser.forEach((user, attachments) -> {
                publish(user, attachments.stream().map(Attachment::presence).toList());
                handlers(user).thenAccept(handlers -> {
                    if (handlers.stream().noneMatch(h -> h.id().equals(self.id()))) {
                        LOG.log(Level.INFO, () -> user + " is handled by " + handlers + " now: moving her devices");
                        attachments.forEach(a -> a.sink().moveTo(handlers));
                    }
                });
            });
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "republish failed", e);
        }
    }

    /**
     * A node linked to this one anew (it joined, or restarted and lost the presences it held as a handler): the
     * presences of the devices attached here are put again soon, at most every 2 s, instead of at the next republish.
     */
    private void newPeer(NodeId peer) {
        endpoint.existingLink(peer).ifPresent(link -> link.closeFuture().whenComplete((v, e) -> linkedPeers.remove(peer)));
        long now = System.currentTimeMillis();
        long last = lastPromptRepublish.get();
        if (!attached.isEmpty() && now - last >= 2000 && lastPromptRepublish.compareAndSet(last, now)) {
            schedule(Duration.ofMillis(200), this::republish);
        }
    }

    // ----- requests from other nodes (on a link's event loop: never block)

    private CompletableFuture<byte[]> onRequest(NodeId peer, InetSocketAddress peerLink, int method, byte[] body) {
        if (closed) {
            return CompletableFuture.failedFuture(new TransportException("node stopping"));
        }
        if (dht == null) {
            return CompletableFuture.failedFuture(new TransportException("node starting"));
        }
        learnLink(peer, peerLink);
        if (linkedPeers.add(peer)) {
            newPeer(peer);
        }
        Contact sender = new Contact(peer, peerLink);
        RouteWire.Method m = RouteWire.Method.forNumber(method);
        if (m == null) {
            throw new ProtocolException("unknown method " + method);
        }
        switch (m) {
            case FIND_NODE: {
                RouteWire.FindNode find = RouteCodec.parse(body, RouteWire.FindNode.parser());
                if (find.getKey().size() != 32) {
                    throw new ProtocolException("a key has 32 bytes");
                }
                RouteWire.Contacts.Builder answer = RouteWire.Contacts.newBuilder();
                dht.onFindNode(sender, Key.ofBytes(find.getKey().toByteArray()))
                        .forEach(c -> answer.addContacts(RouteCodec.contact(c)));
                return CompletableFuture.completedFuture(answer.build().toByteArray());
            }
            case PING:
                dht.onPing(sender);
                return CompletableFuture.completedFuture(new byte[0]);
            case INFO:
                return CompletableFuture.completedFuture(RouteWire.NodeInfo.newBuilder().setDaemonHost(self.host())
                        .setDaemonPort(self.port()).build().toByteArray());
            case DEVICES: {
                RouteWire.Devices devices = RouteCodec.parse(body, RouteWire.Devices.parser());
                Endpoint requester = RouteCodec.endpoint(devices.getRequester());
                UserId target = RouteCodec.user(devices.getTarget());
                try {
                    return CompletableFuture.completedFuture(RouteCodec.okDevices(
                            HandlerRules.visibleDevices(target, handled.presences(target), requester.user())));
                } catch (RuntimeException e) {
                    return CompletableFuture.completedFuture(RouteCodec.refusal(e));
                }
            }
            default:
                return answered(() -> route(m, peer, peerLink, body));
        }
    }

    private CompletableFuture<Void> route(RouteWire.Method method, NodeId peer, InetSocketAddress peerLink, byte[] body) {
        switch (method) {
            case PRESENCE_PUT: {
                RouteWire.PresencePut put = RouteCodec.parse(body, RouteWire.PresencePut.parser());
                RouteWire.NodeInfo info = put.getNode();
                if (info.getDaemonPort() < 1 || info.getDaemonPort() > 65535 || info.getDaemonHost().isEmpty()) {
                    throw new ProtocolException("presence put without the node's daemon address");
                }
                remember(daemonAddresses, peer, new NodeAddress(peer, info.getDaemonHost(), info.getDaemonPort()));
                List<Presence> presences = new ArrayList<>();
                for (RouteWire.Presence p : put.getPresencesList()) {
                    presences.add(new Presence(RouteCodec.endpoint(p.getDevice()), peer, RouteCodec.policy(p)));
                }
                long ttl = Math.min(Math.max(put.getTtlSeconds(), 1), 3600);
                return store(presences, peerLink, ttl);
            }
            case PRESENCE_DROP: {
                RouteWire.PresenceDrop drop = RouteCodec.parse(body, RouteWire.PresenceDrop.parser());
                handled.remove(RouteCodec.endpoint(drop.getDevice()), peer);
                return CompletableFuture.completedFuture(null);
            }
            case REPLACED: {
                RouteWire.Replaced replaced = RouteCodec.parse(body, RouteWire.Replaced.parser());
                Endpoint device = RouteCodec.endpoint(replaced.getDevice());
                NodeId now = RouteCodec.node(replaced.getNewNode());
                return requireHandler(peer, device.user()).thenRun(() -> replacedHere(device, now));
            }
            case PRESENCE_CHECK: {
                RouteWire.PresenceCheck check = RouteCodec.parse(body, RouteWire.PresenceCheck.parser());
                Endpoint device = RouteCodec.endpoint(check.getDevice());
                NodeId node = RouteCodec.node(check.getNode());
                boolean yes = handled.isAttachedAt(device, node) || node.equals(self.id()) && attached.containsKey(device);
                if (!yes) {
                    throw new UnknownUserException(device + " is not attached at " + node + " as far as this handler knows");
                }
                return CompletableFuture.completedFuture(null);
            }
            case ROUTE: {
                RoutedMessage message = RouteCodec.message(RouteCodec.parse(body, RouteWire.Routed.parser()));
                if (!message.origin().equals(peer)) {
                    throw new ProtocolException("node " + peer + " routed a message from node " + message.origin());
                }
                return isAttachedAt(message.from(), peer).thenCompose(yes -> {
                    if (!yes) {
                        LOG.log(Level.WARNING, () -> "node " + peer + " routed a message from " + message.from()
                                + ", who is not attached there: refused");
                        throw new ProtocolException("sender " + message.from() + " is not attached to node " + peer);
                    }
                    return routeAsHandler(message);
                });
            }
            case DELIVER: {
                RoutedMessage message = RouteCodec.message(RouteCodec.parse(body, RouteWire.Routed.parser()));
                if (message.origin().equals(peer) && message.kind() != RoutedMessage.Kind.CONNECT_REQUEST) {
                    return deliverHere(message); // the node core checks it against the device's connections
                }
                return requireHandler(peer, message.to().user()).thenCompose(v -> deliverHere(message));
            }
            default:
                throw new ProtocolException("method " + method + " is not a routing call");
        }
    }

    private CompletableFuture<Void> requireHandler(NodeId peer, UserId user) {
        return handlerContacts(user).thenAccept(handlers -> {
            if (handlers.stream().noneMatch(h -> h.id().equals(peer))) {
                throw new ProtocolException("node " + peer + " is not a handler of " + user);
            }
        });
    }

    /** Runs a routing call and turns a refusal into its answer; any other failure answers FAILED. */
    private static CompletableFuture<byte[]> answered(java.util.function.Supplier<CompletableFuture<Void>> work) {
        CompletableFuture<Void> done;
        try {
            done = work.get();
        } catch (RuntimeException e) {
            done = CompletableFuture.failedFuture(e);
        }
        return done.handle((v, failure) -> failure == null ? RouteCodec.ok() : RouteCodec.refusal(failure));
    }

    // ----- helpers

    private CompletableFuture<List<Contact>> handlerContacts(UserId user) {
        if (closed) {
            return CompletableFuture.failedFuture(new TransportException("node stopped"));
        }
        if (!joined && hasSeeds && dht.table().size() == 0) {
            // alone, a node would name itself every user's handler and split users between two homes
            return CompletableFuture.failedFuture(new TransportException("this node has not joined the other nodes yet"));
        }
        try {
            return dht.closestNodes(Key.ofUser(user), settings.replicas()).thenApply(contacts -> {
                contacts.forEach(c -> learnLink(c.id(), c.address()));
                return contacts;
            });
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    private CompletableFuture<NodeAddress> daemonAddress(Contact node) {
        NodeAddress known = daemonAddresses.get(node.id());
        if (known != null) {
            return CompletableFuture.completedFuture(known);
        }
        return call(node, RouteWire.Method.INFO, new byte[0]).thenApply(body -> {
            RouteWire.NodeInfo info = RouteCodec.parse(body, RouteWire.NodeInfo.parser());
            NodeAddress address = new NodeAddress(node.id(), info.getDaemonHost(), info.getDaemonPort());
            remember(daemonAddresses, node.id(), address);
            return address;
        });
    }

    private CompletableFuture<byte[]> call(Contact to, RouteWire.Method method, byte[] body) {
        try {
            return endpoint.link(to.id(), to.address())
                    .thenCompose(link -> link.call(method.getNumber(), body, settings.callTimeout()));
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    private void learnLink(NodeId node, InetSocketAddress address) {
        if (address != null && !node.equals(self.id())) {
            remember(linkAddresses, node, address);
        }
    }

    private InetSocketAddress linkAddress(NodeId node) {
        InetSocketAddress known = linkAddresses.get(node);
        if (known != null) {
            return known;
        }
        return dht.table().contacts().stream().filter(c -> c.id().equals(node)).map(Contact::address).findFirst().orElse(null);
    }

    private static <K, V> void remember(ConcurrentMap<K, V> book, K key, V value) {
        if (book.size() >= MAX_ADDRESS_BOOK && !book.containsKey(key)) {
            book.clear();
        }
        book.put(key, value);
    }

    private static <T> CompletableFuture<T> recover(CompletableFuture<T> future,
            Function<Throwable, CompletableFuture<T>> onFailure) {
        return future.handle((value, failure) -> failure == null ? CompletableFuture.completedFuture(value)
                : onFailure.apply(RouteCodec.unwrap(failure))).thenCompose(Function.identity());
    }

    private static boolean isWildcard(String host) {
        return host.isBlank() || host.equals("0.0.0.0") || host.equals("::");
    }

    // ----- statistics and life cycle

    public NodeId id() {
        return self.id();
    }

    /** Where other nodes link to this one. */
    public InetSocketAddress linkAddress() {
        return selfContact.address();
    }

    /** What this node reports in its status file. */
    public Map<String, String> status() {
        Map<String, String> status = new LinkedHashMap<>();
        status.put("node.id", self.id().toString());
        status.put("link.host", selfContact.address().getHostString());
        status.put("link.port", Integer.toString(selfContact.address().getPort()));
        status.put("link.bytes.read", Long.toString(endpoint.bytesRead()));
        status.put("link.bytes.written", Long.toString(endpoint.bytesWritten()));
        status.put("dht.contacts", Integer.toString(dht.table().size()));
        status.put("dht.joined", Boolean.toString(joined));
        status.put("presences.handled", Integer.toString(handled.size()));
        status.put("devices.attached", Integer.toString(attached.size()));
        return status;
    }

    /** The nodes in this node's routing table, as link addresses (to remember across a restart). */
    public List<NodeAddress> knownContacts() {
        return dht.table().contacts().stream()
                .map(c -> new NodeAddress(c.id(), c.address().getHostString(), c.address().getPort())).toList();
    }

    /** The DHT contacts this node knows (for tests and statistics). */
    public int contacts() {
        return dht.table().size();
    }

    /**
     * Withdraws the devices attached here from their handlers (waiting at most {@code grace}), leaves the DHT and
     * closes every link. Blocks.
     */
    public void close(Duration grace) {
        if (closed) {
            return;
        }
        List<CompletableFuture<Void>> withdrawn = new ArrayList<>();
        for (Map.Entry<Endpoint, Attachment> a : Map.copyOf(attached).entrySet()) {
            withdrawn.add(detach(a.getKey(), a.getValue().sink()));
        }
        try {
            CompletableFuture.allOf(withdrawn.toArray(CompletableFuture[]::new)).get(grace.toMillis(), TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            LOG.log(Level.DEBUG, () -> "withdrawing devices at stop: " + e);
        }
        closed = true;
        dht.stop();
        endpoint.close();
        timer.shutdownNow();
    }

    @Override
    public void close() {
        close(Duration.ofSeconds(1));
    }
}
