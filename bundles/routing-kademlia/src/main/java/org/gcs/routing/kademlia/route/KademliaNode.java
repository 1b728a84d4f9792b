package org.gcs.routing.kademlia.route;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.gcs.api.DeviceId;
import org.gcs.api.NodeId;
import org.gcs.api.ProtocolException;
import org.gcs.api.TransportException;
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
import org.gcs.routing.kademlia.link.LinkConfig;
import org.gcs.routing.kademlia.link.LinkEndpoint;
import org.gcs.routing.kademlia.link.NodeKeys;
import org.gcs.routing.kademlia.route.wire.RouteWire;

/**
 * One running GCS node of a Kademlia deployment: its node links, its DHT node, the devices attached here and the
 * presences it keeps as a handler of their users. It wires and runs the parts: {@link NodeDirectory} (handlers and
 * calls to other nodes), {@link PresenceReplication} (presences at the handlers), {@link AttachmentClaims} (is a sender
 * attached where its node says) and {@link MessagePaths} (how a routed message travels), and serves other nodes'
 * requests.
 *
 * <p>Threads: every method is non-blocking except {@link #start} and {@link #close}. Requests from other nodes run on
 * the link event loops; periodic work on one timer thread. State is in concurrent maps and {@link HandledPresences}.
 */
public final class KademliaNode implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(KademliaNode.class.getName());

    /**
     * Encoded presences per PRESENCE_PUT: a quarter of the largest frame a peer takes (with the same link settings),
     * at most 256 KiB, so a call with its framing stays well inside the limit and 100,000 friends take a few dozen calls.
     */
    static int presencePutBudget(int maxFrameBytes) {
        return Math.max(256, Math.min(256 * 1024, maxFrameBytes / 4));
    }

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

    private final NodeAddress self;
    private final Settings settings;
    private final AttachedDevices attached = new AttachedDevices();
    private final HandledPresences handled;
    private final ScheduledExecutorService timer;
    private final LinkEndpoint endpoint;
    private final Kademlia dht;
    private final Contact selfContact;
    private final NodeDirectory directory;
    private final PresenceReplication replication;
    private final AttachmentClaims claims;
    private final MessagePaths paths;

    private KademliaNode(NodeIdentity identity, NodeAddress self, Settings settings) throws IOException {
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
        boolean hasSeeds = settings.bootstrap().stream().anyMatch(seed -> !seed.id().equals(self.id()));
        this.directory = new NodeDirectory(self, endpoint, dht, settings.replicas(), settings.callTimeout(), hasSeeds);
        this.replication = new PresenceReplication(directory, attached, handled, self, selfContact.address(),
                settings.republish(), presencePutBudget(settings.link().maxFrameBytes()));
        this.claims = new AttachmentClaims(directory, attached, handled);
        this.paths = new MessagePaths(directory, attached, handled, claims);
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
        // started can take longer than the lookup's slow-query threshold
        List<CompletableFuture<Link>> opened = new ArrayList<>();
        seeds.forEach(seed -> opened.add(endpoint.link(seed.id(), seed.address())));
        CompletableFuture.allOf(opened.toArray(CompletableFuture[]::new)).handle((v, e) -> null)
                .thenCompose(v -> dht.bootstrap(seeds)).whenComplete((ok, failure) -> {
            if (directory.closed()) {
                return;
            }
            if (failure == null) {
                directory.markJoined();
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

    /** Every republish interval: forgets expired presences and claims, and republishes (see {@link PresenceReplication}). */
    private void republish() {
        try {
            long now = System.currentTimeMillis();
            handled.expire(now);
            claims.expire(now);
            replication.republish();
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "republish failed", e);
        }
    }

    // ----- what the Router asks

    /** The handlers of {@code user} as daemons reach them, closest first; a handler whose address is unknown and cannot be asked is left out. */
    public CompletableFuture<List<NodeAddress>> handlers(UserId user) {
        return directory.handlers(user);
    }

    public CompletableFuture<Void> attach(Presence presence, DeviceSink sink) {
        if (!presence.node().equals(self.id())) {
            return CompletableFuture.failedFuture(new ProtocolException(
                    "attach of " + presence.device() + " at node " + presence.node() + ", not at this node"));
        }
        AttachedDevices.Attachment previous = attached.put(presence, sink);
        if (previous != null && previous.sink() != sink) {
            previous.sink().replaced(self.id());
        }
        return replication.publish(presence.device().user(), List.of(presence));
    }

    public CompletableFuture<Void> detach(Endpoint device, DeviceSink sink) {
        AttachedDevices.Attachment current = attached.get(device);
        if (current == null || current.sink() != sink || !attached.remove(device, current)) {
            return CompletableFuture.completedFuture(null);
        }
        return replication.withdraw(device);
    }

    public CompletableFuture<List<DeviceId>> devices(Endpoint requester, UserId target) {
        byte[] request = RouteWire.Devices.newBuilder().setRequester(RouteCodec.device(requester))
                .setTarget(target.toString()).build().toByteArray();
        return directory.atHandlers(target, handler -> directory.isSelf(handler)
                ? CompletableFuture.completedFuture(HandlerRules.visibleDevices(target, handled.presences(target), requester.user()))
                : directory.call(handler, RouteWire.Method.DEVICES, request)
                        .thenApply(body -> RouteCodec.devices(RouteCodec.parseAnswer(body))));
    }

    public CompletableFuture<Void> deliver(RoutedMessage message) {
        return paths.send(message);
    }

    // ----- requests from other nodes (on a link's event loop: never block)

    private CompletableFuture<byte[]> onRequest(NodeId peer, InetSocketAddress peerLink, int method, byte[] body) {
        if (directory == null) {
            return CompletableFuture.failedFuture(new TransportException("node starting"));
        }
        if (directory.closed()) {
            return CompletableFuture.failedFuture(new TransportException("node stopping"));
        }
        directory.learnLink(peer, peerLink);
        Contact sender = new Contact(peer, peerLink);
        if (replication.linkedAnew(peer)) {
            dht.contactArrived(sender); // it may be a handler of users whose handlers are cached without it
            if (replication.promptRepublishDue()) {
                schedule(Duration.ofMillis(200), this::republish);
            }
        }
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
            case PRESENCE_PUT:
                return replication.onPut(peer, peerLink, body);
            case PRESENCE_DROP:
                return replication.onDrop(peer, body);
            case REPLACED:
                return replication.onReplaced(peer, body);
            case PRESENCE_CHECK:
                return claims.onCheck(body);
            case ROUTE:
                return paths.onRoute(peer, body);
            case DELIVER:
                return paths.onDeliver(peer, body);
            default:
                throw new ProtocolException("method " + method + " is not a routing call");
        }
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
        status.put("dht.joined", Boolean.toString(directory.joined()));
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
        if (directory.closed()) {
            return;
        }
        List<CompletableFuture<Void>> withdrawn = new ArrayList<>();
        for (Map.Entry<Endpoint, AttachedDevices.Attachment> a : attached.snapshot().entrySet()) {
            withdrawn.add(detach(a.getKey(), a.getValue().sink()));
        }
        try {
            CompletableFuture.allOf(withdrawn.toArray(CompletableFuture[]::new)).get(grace.toMillis(), TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            LOG.log(Level.DEBUG, () -> "withdrawing devices at stop: " + e);
        }
        directory.markClosed();
        dht.stop();
        endpoint.close();
        timer.shutdownNow();
    }

    @Override
    public void close() {
        close(Duration.ofSeconds(1));
    }
}
