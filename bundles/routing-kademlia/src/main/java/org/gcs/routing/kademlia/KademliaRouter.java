package org.gcs.routing.kademlia;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.gcs.api.DeviceId;
import org.gcs.api.TransportException;
import org.gcs.api.UserId;
import org.gcs.api.node.NodeIdentity;
import org.gcs.api.routing.DeviceSink;
import org.gcs.api.routing.Endpoint;
import org.gcs.api.routing.NodeAddress;
import org.gcs.api.routing.Presence;
import org.gcs.api.routing.RoutedMessage;
import org.gcs.api.routing.Router;
import org.gcs.routing.kademlia.dht.KadConfig;
import org.gcs.routing.kademlia.link.LinkConfig;
import org.gcs.routing.kademlia.route.KademliaNode;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.gcs.internal.files.AtomicFiles;

/**
 * The router of a distributed GCS: nodes form a Kademlia DHT over TLS node links, each user is handled by the
 * {@code replicas} nodes closest to her key, and control messages travel from the sender's node to the recipient's
 * handler and on to her device's node (see {@link KademliaNode}). Started by the node core once its daemon listener
 * is bound; the node joins through the configured bootstrap nodes.
 */
@Component(service = Router.class, property = Router.ROUTING + "=kademlia", configurationPid = KademliaRouter.PID,
        configurationPolicy = ConfigurationPolicy.OPTIONAL)
@Designate(ocd = KademliaRouter.Config.class)
public final class KademliaRouter implements Router {
    public static final String PID = "org.gcs.routing.kademlia";
    private static final System.Logger LOG = System.getLogger(KademliaRouter.class.getName());
    private static final Duration STATUS_EVERY = Duration.ofSeconds(2);
    private static final int MAX_REMEMBERED = 32;

    @ObjectClassDefinition(name = "GCS Kademlia router",
            description = "Node-to-node links, the DHT that finds each user's handler nodes, and presence replication")
    public @interface Config {
        @AttributeDefinition(description = "Address the node-to-node link listener binds to")
        String link_host() default "127.0.0.1";

        @AttributeDefinition(description = "Port of the link listener; 0 picks a free port (see status.file)")
        int link_port() default 7444;

        @AttributeDefinition(description = "Host other nodes dial for links; empty = link.host, or the node's"
                + " advertised daemon host when link.host is a wildcard")
        String link_advertised_host() default "";

        @AttributeDefinition(description = "Other nodes' link addresses to join through, host:port#nodeid, comma-separated;"
                + " empty for the first node")
        String[] bootstrap() default {};

        @AttributeDefinition(description = "How many handler nodes each user has (r)")
        int replicas() default 3;

        @AttributeDefinition(description = "Kademlia bucket size k")
        int k() default 20;

        @AttributeDefinition(description = "Parallel queries of a lookup (alpha)")
        int alpha() default 3;

        @AttributeDefinition(description = "Most contacts of one /24 (IPv4) or /48 (IPv6) per bucket; 0 = no limit"
                + " (a deployment on one network)")
        int group_limit_bucket() default 2;

        @AttributeDefinition(description = "Most contacts of one /24 or /48 in a lookup's result; 0 = no limit")
        int group_limit_result() default 1;

        @AttributeDefinition(description = "DHT queries (find-node, ping) one node may send this node at once")
        int rate_limit_burst() default 500;

        @AttributeDefinition(description = "DHT queries per second one node may send this node after its burst")
        int rate_limit_per_second() default 100;

        @AttributeDefinition(description = "How often presences are put again at their handlers, seconds")
        int republish_seconds() default 30;

        @AttributeDefinition(description = "Timeout of one call to another node, milliseconds")
        int call_timeout_millis() default 3000;

        @AttributeDefinition(description = "Most presences one other node may keep here as a handler")
        int max_presences_per_node() default 100_000;

        @AttributeDefinition(description = "A properties file the router keeps up to date with its id, link address"
                + " and counters; empty for none")
        String status_file() default "";

        @AttributeDefinition(description = "A file where the router keeps the nodes it knows, to join through them"
                + " after a restart as well as through bootstrap; empty for none")
        String contacts_file() default "";
    }

    private NodeIdentity identity;
    private KademliaNode.Settings settings;
    private Path statusFile;
    private Path contactsFile;
    private volatile KademliaNode node;
    private ScheduledExecutorService statusTimer;
    /** What the status and contacts files hold now, as last written here: an unchanged text is not written again. */
    private final java.util.Map<Path, String> written = new java.util.concurrent.ConcurrentHashMap<>();

    /** For Declarative Services. */
    public KademliaRouter() {
    }

    /** A router outside a framework (tests, tools), writing no status file and remembering no contacts. */
    public KademliaRouter(NodeIdentity identity, KademliaNode.Settings settings) {
        this(identity, settings, null, null);
    }

    /**
     * A router outside a framework.
     *
     * @param statusFile where to keep its status ({@code null}: nowhere)
     * @param contactsFile where to remember the nodes it knows, joined through at the next start ({@code null}: nowhere)
     */
    public KademliaRouter(NodeIdentity identity, KademliaNode.Settings settings, Path statusFile, Path contactsFile) {
        this.identity = Objects.requireNonNull(identity, "identity");
        this.settings = Objects.requireNonNull(settings, "settings");
        this.statusFile = statusFile;
        this.contactsFile = contactsFile;
    }

    @Reference
    void setIdentity(NodeIdentity identity) {
        this.identity = identity;
    }

    @Activate
    void activate(Config config) {
        settings = settings(config);
        statusFile = config.status_file().isBlank() ? null : Path.of(config.status_file());
        contactsFile = config.contacts_file().isBlank() ? null : Path.of(config.contacts_file());
    }

    @Deactivate
    void deactivate() {
        stop().join();
    }

    /** The settings a configuration describes; throws {@link IllegalArgumentException} naming the bad property. */
    static KademliaNode.Settings settings(Config config) {
        List<NodeAddress> bootstrap = new ArrayList<>();
        for (String entries : config.bootstrap()) {
            for (String entry : entries.split(",")) {
                if (!entry.isBlank()) {
                    try {
                        bootstrap.add(NodeAddress.parse(entry.strip()));
                    } catch (IllegalArgumentException e) {
                        throw new IllegalArgumentException("bootstrap: " + e.getMessage(), e);
                    }
                }
            }
        }
        KadConfig kad = KadConfig.defaults().withK(config.k()).withAlpha(config.alpha())
                .withMaxPerGroupPerBucket(config.group_limit_bucket())
                .withMaxPerGroupPerResult(config.group_limit_result())
                .withRateLimit(config.rate_limit_burst(), config.rate_limit_per_second());
        return new KademliaNode.Settings(config.link_host(), config.link_port(), config.link_advertised_host(), bootstrap,
                config.replicas(), kad, LinkConfig.defaults(), Duration.ofMillis(config.call_timeout_millis()),
                Duration.ofSeconds(config.republish_seconds()), config.max_presences_per_node());
    }

    @Override
    public synchronized CompletableFuture<Void> start(NodeAddress self) {
        stopNode();
        try {
            node = KademliaNode.start(identity, self, withRemembered(settings));
        } catch (IOException e) {
            return CompletableFuture.failedFuture(new TransportException("cannot listen for node links on "
                    + settings.linkHost() + ":" + settings.linkPort() + ": " + e.getMessage(), e));
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
        if (statusFile != null || contactsFile != null) {
            statusTimer = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "gcs-kademlia-status");
                t.setDaemon(true);
                return t;
            });
            writeStatus();
            statusTimer.scheduleWithFixedDelay(this::writeStatus, STATUS_EVERY.toMillis(), STATUS_EVERY.toMillis(),
                    TimeUnit.MILLISECONDS);
        }
        return CompletableFuture.completedFuture(null);
    }

    @Override
    public synchronized CompletableFuture<Void> stop() {
        stopNode();
        return CompletableFuture.completedFuture(null);
    }

    private void stopNode() {
        if (statusTimer != null) {
            statusTimer.shutdownNow();
            statusTimer = null;
        }
        writeStatus();
        KademliaNode running = node;
        node = null;
        if (running != null) {
            running.close();
        }
    }

    private void writeStatus() {
        KademliaNode running = node;
        if (running == null) {
            return;
        }
        if (statusFile != null) {
            StringBuilder text = new StringBuilder("# GCS Kademlia router status\n");
            running.status().forEach((k, v) -> text.append(k).append('=').append(v).append('\n'));
            write(statusFile, text.toString()); // always: readers take its modification time as the counters' age
        }
        List<NodeAddress> known = running.knownContacts();
        if (contactsFile != null && !known.isEmpty()) {
            StringBuilder text = new StringBuilder("# nodes this node knew (host:linkPort#node-id), joined through after a restart\n");
            // sorted, so the text changes only when the set of nodes does (the table reorders on every contact)
            known.stream().map(NodeAddress::toString).sorted().limit(MAX_REMEMBERED)
                    .forEach(c -> text.append(c).append('\n'));
            writeIfChanged(contactsFile, text.toString());
        }
    }

    private void writeIfChanged(Path file, String text) {
        if (!text.equals(written.get(file)) && write(file, text)) {
            written.put(file, text);
        }
    }

    private static boolean write(Path file, String text) {
        try {
            AtomicFiles.replace(file, text);
            return true;
        } catch (IOException | UncheckedIOException e) {
            LOG.log(Level.WARNING, () -> "cannot write " + file + ": " + e);
            return false;
        }
    }

    /** {@code base} with the nodes remembered in the contacts file added to its bootstrap nodes. */
    private KademliaNode.Settings withRemembered(KademliaNode.Settings base) {
        if (contactsFile == null || !Files.isRegularFile(contactsFile)) {
            return base;
        }
        List<NodeAddress> seeds = new ArrayList<>(base.bootstrap());
        try {
            for (String line : Files.readAllLines(contactsFile, StandardCharsets.UTF_8)) {
                String entry = line.strip();
                if (entry.isEmpty() || entry.startsWith("#") || seeds.size() >= base.bootstrap().size() + MAX_REMEMBERED) {
                    continue;
                }
                try {
                    NodeAddress seed = NodeAddress.parse(entry);
                    if (!seed.id().equals(identity.id()) && seeds.stream().noneMatch(s -> s.id().equals(seed.id()))) {
                        seeds.add(seed);
                    }
                } catch (IllegalArgumentException e) {
                    LOG.log(Level.WARNING, () -> contactsFile + ": ignoring " + entry + " (" + e.getMessage() + ")");
                }
            }
        } catch (IOException e) {
            LOG.log(Level.WARNING, () -> "cannot read " + contactsFile + ": " + e);
            return base;
        }
        return new KademliaNode.Settings(base.linkHost(), base.linkPort(), base.advertisedLinkHost(), seeds,
                base.replicas(), base.kad(), base.link(), base.callTimeout(), base.republish(), base.maxPresencesPerNode());
    }

    /** The running node, or {@code null} before {@link #start} (for tests and statistics). */
    public KademliaNode node() {
        return node;
    }

    private KademliaNode running() {
        KademliaNode running = node;
        if (running == null) {
            throw new IllegalStateException("router not started");
        }
        return running;
    }

    @Override
    public CompletableFuture<List<NodeAddress>> handlers(UserId user) {
        Objects.requireNonNull(user, "user");
        return call(() -> running().handlers(user));
    }

    @Override
    public CompletableFuture<Void> attach(Presence presence, DeviceSink sink) {
        Objects.requireNonNull(presence, "presence");
        Objects.requireNonNull(sink, "sink");
        return call(() -> running().attach(presence, sink));
    }

    @Override
    public CompletableFuture<Void> detach(Endpoint device, DeviceSink sink) {
        Objects.requireNonNull(device, "device");
        Objects.requireNonNull(sink, "sink");
        KademliaNode running = node;
        return running == null ? CompletableFuture.completedFuture(null) : running.detach(device, sink);
    }

    @Override
    public CompletableFuture<List<DeviceId>> devices(Endpoint requester, UserId target) {
        Objects.requireNonNull(requester, "requester");
        Objects.requireNonNull(target, "target");
        return call(() -> running().devices(requester, target));
    }

    @Override
    public CompletableFuture<Void> deliver(RoutedMessage message) {
        Objects.requireNonNull(message, "message");
        return call(() -> running().deliver(message));
    }

    private static <T> CompletableFuture<T> call(java.util.function.Supplier<CompletableFuture<T>> work) {
        try {
            return work.get();
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }
}
