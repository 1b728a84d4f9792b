package org.gcs.node;

import java.io.IOException;
import java.time.Clock;
import java.lang.System.Logger.Level;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.gcs.api.NodeId;
import org.gcs.api.auth.AuthProvider;
import org.gcs.api.routing.Router;
import org.gcs.api.wire.NodeWire.IceServer;
import org.gcs.node.ice.IceServerDirectory;
import org.gcs.node.ice.TurnCredentials;
import org.gcs.api.wire.WireVersions;
import org.gcs.node.net.NodeChannelInitializer;
import org.gcs.node.net.NodeServer;
import org.gcs.node.session.AuthProviders;
import org.gcs.node.session.OwnerRecheck;
import org.gcs.node.session.ConnectionTable;
import org.gcs.node.session.LocalDevices;
import org.gcs.node.session.SessionContext;
import org.gcs.api.node.NodeIdentity;
import org.gcs.api.routing.NodeAddress;
import org.gcs.node.state.StateFiles;
import org.gcs.node.stats.NodeStats;
import org.gcs.internal.stun.StunResponder;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/**
 * The GCS node core, the same for every node role: a TLS 1.3 listener where device daemons log in and send control
 * requests (docs/PROTOCOL.md), a STUN responder, and the node's identity and counters in its state directory. Users are
 * found through the {@link Router} service; logins are verified by the {@link AuthProvider} registered for the user's
 * scheme, which may be swapped while the node runs.
 *
 * <pre>
 * # etc/org.gcs.node.cfg
 * host=127.0.0.1
 * port=7000
 * state.dir=state/node
 * stun.port=3478
 * </pre>
 */
@Component(configurationPid = GcsNode.PID, configurationPolicy = ConfigurationPolicy.REQUIRE, service = {}, immediate = true)
@Designate(ocd = GcsNode.Config.class)
public final class GcsNode {
    public static final String PID = "org.gcs.node";
    private static final System.Logger LOG = System.getLogger(GcsNode.class.getName());

    /** Configuration of PID {@value #PID}; an underscore in a method name is a dot in the property ({@code state.dir}). */
    @ObjectClassDefinition(name = "GCS node", description = "TLS listener for device daemons, STUN responder, state directory")
    public @interface Config {
        @AttributeDefinition(description = "Address the TLS listener and the STUN socket bind to")
        String host() default "127.0.0.1";

        @AttributeDefinition(description = "TLS port for daemons; 0 picks a free port (see node.properties)")
        int port() default 7000;

        @AttributeDefinition(description = "Directory of the node key, certificate, id, ports and counters")
        String state_dir() default "state";

        @AttributeDefinition(description = "UDP STUN port; 0 picks a free port; -1 turns STUN off")
        int stun_port() default 3478;

        @AttributeDefinition(description = "Host daemons are told to use for STUN; empty = host")
        String advertised_host() default "";

        @AttributeDefinition(description = "TURN servers (host:port) daemons may relay through, e.g. coturn; empty for none")
        String[] turn_servers() default {};

        @AttributeDefinition(description = "coturn static-auth-secret shared with the TURN servers (use-auth-secret)")
        String turn_secret() default "";

        @AttributeDefinition(description = "Lifetime of the TURN credentials issued at each login; a relayed channel"
                + " cannot refresh its allocation past it")
        int turn_ttl_seconds() default 43200;

        @AttributeDefinition(description = "Largest frame accepted or sent")
        int max_frame_bytes() default WireVersions.MAX_FRAME_BYTES;

        @AttributeDefinition(description = "Time from accept to Welcome")
        int login_timeout_seconds() default 10;

        @AttributeDefinition(description = "A connection silent this long is closed")
        int idle_timeout_seconds() default 60;

        @AttributeDefinition(description = "How often (seconds) each logged-in device's key is asked again whether it"
                + " still owns its user id, through the scheme's provider: a BNS name transferred, expired or revoked"
                + " disconnects its devices at the next check; 0 = never")
        int reverify_seconds() default 300;

        @AttributeDefinition(description = "Connects one user may start at once (token bucket burst)")
        int limit_connects_burst() default 100;

        @AttributeDefinition(description = "Connects one user may start per second, sustained")
        double limit_connects_per_second() default 50;

        @AttributeDefinition(description = "Connects of one user in flight (Connect sent, no result yet)")
        int limit_connects_in_flight_per_user() default 256;

        @AttributeDefinition(description = "Connects of one device in flight")
        int limit_connects_in_flight_per_device() default 128;

        @AttributeDefinition(description = "Devices of one user logged in at this node")
        int limit_devices_per_user() default 32;

        @AttributeDefinition(description = "Open connections from one source address")
        int limit_connections_per_address() default 256;

        @AttributeDefinition(description = "Frames one session may send at once (token bucket burst)")
        int limit_frames_burst() default 1000;

        @AttributeDefinition(description = "Frames one session may send per second, sustained")
        double limit_frames_per_second() default 500;

        @AttributeDefinition(description = "Write buffer per connection in bytes; the node stops reading a peer"
                + " that lets more pile up, and closes it at 8 times this")
        int limit_write_buffer_bytes() default 1024 * 1024;

        @AttributeDefinition(description = "A peer that has not read what it was sent for this long is closed")
        int limit_slow_reader_seconds() default 15;
    }

    private final AuthProviders authProviders = new AuthProviders();
    private final NodeStats stats = new NodeStats();
    private Router router;
    private NodeServer server;
    private ScheduledExecutorService housekeeping;
    private volatile OwnerRecheck recheck;
    private StateFiles stateFiles;
    private NodeId nodeId;
    private int tlsPort;
    private int stunPort = NodeSettings.STUN_OFF;

    private NodeIdentity identity;

    @Reference
    void setRouter(Router router) {
        this.router = router;
    }

    @Reference
    void setIdentity(NodeIdentity identity) {
        this.identity = identity;
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY, updated = "updatedAuthProvider")
    void addAuthProvider(AuthProvider provider, Map<String, Object> properties) {
        authProviders.add(provider, properties);
    }

    void updatedAuthProvider(AuthProvider provider, Map<String, Object> properties) {
        authProviders.add(provider, properties);
    }

    void removeAuthProvider(AuthProvider provider, Map<String, Object> properties) {
        String scheme = authProviders.remove(provider);
        OwnerRecheck recheck = this.recheck;
        if (scheme != null && recheck != null) {
            recheck.providerRemoved(scheme);
        }
    }

    @Activate
    void activate(Config config) throws IOException, InterruptedException {
        NodeSettings settings = NodeSettings.from(config);
        nodeId = identity.id();
        stateFiles = new StateFiles(settings.stateDir());
        server = new NodeServer(settings.host());
        try {
            start(settings, identity);
        } catch (IOException | InterruptedException | RuntimeException e) {
            server.close();
            throw e;
        }
    }

    private void start(NodeSettings settings, NodeIdentity identity) throws IOException, InterruptedException {
        if (settings.stunEnabled()) {
            stunPort = server.bindStun(settings.stunPort(), new StunResponder(new StunResponder.Traffic() {
                @Override
                public void in(long bytes) {
                    stats.stunBytesIn(bytes);
                }

                @Override
                public void out(long bytes) {
                    stats.stunBytesOut(bytes);
                }
            }));
        }
        List<IceServer> stun = settings.stunEnabled()
                ? List.of(IceServer.newBuilder().setHost(settings.advertisedHost()).setPort(stunPort).setKind("stun").build())
                : List.of();
        IceServerDirectory iceServers = new IceServerDirectory(stun, settings.turnServers(), settings.turnServers().isEmpty()
                ? null : new TurnCredentials(settings.turnSecret(), settings.turnTtl(), Clock.systemUTC()));
        ConnectionTable connections = new ConnectionTable();
        LocalDevices devices = new LocalDevices(router, connections, stats, settings.limits(), System::nanoTime);
        SessionContext context = new SessionContext(nodeId, authProviders, router, devices, connections, stats, iceServers,
                settings.loginTimeout(), settings.maxFrameBytes());
        tlsPort = server.bindTls(settings.port(), new NodeChannelInitializer(
                NodeServer.tlsContext(identity.privateKey(), identity.certificate()), context, settings.idleTimeout()));

        stateFiles.writeNodeId(nodeId.toString());
        Map<String, Object> node = new LinkedHashMap<>();
        node.put("node.id", nodeId);
        node.put("tls.host", settings.host());
        node.put("tls.port", tlsPort);
        node.put("stun.port", stunPort);
        node.put("advertised.host", settings.advertisedHost());
        stateFiles.writeNodeProperties(node);
        stateFiles.writeStats(stats.snapshot());
        NodeAddress self = new NodeAddress(nodeId, settings.advertisedHost(), tlsPort);
        router.start(self).whenComplete((ok, failure) -> {
            if (failure != null) {
                LOG.log(Level.ERROR, "router did not start for " + self + ": " + failure.getMessage());
            }
        });

        housekeeping = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "gcs-node-housekeeping");
            thread.setDaemon(true);
            return thread;
        });
        housekeeping.scheduleAtFixedRate(() -> housekeep(connections), 1, 1, TimeUnit.SECONDS);
        recheck = new OwnerRecheck(devices, authProviders, stats);
        long reverify = settings.reverify().toMillis();
        if (reverify > 0) {
            OwnerRecheck rounds = recheck;
            housekeeping.scheduleAtFixedRate(() -> {
                try {
                    rounds.checkAll();
                } catch (Throwable e) { // never let one failure cancel every later round
                    LOG.log(Level.WARNING, "owner recheck failed: " + e);
                }
            }, reverify, reverify, TimeUnit.MILLISECONDS);
        }

        String stunText = settings.stunEnabled() ? "udp://" + settings.host() + ":" + stunPort : "off";
        LOG.log(Level.INFO, "GCS node " + nodeId + " listening on tls://" + settings.host() + ":" + tlsPort + " stun " + stunText
                + (settings.turnServers().isEmpty() ? "" : " turn " + settings.turnServers()));
    }

    private void housekeep(ConnectionTable connections) {
        try {
            int expired = connections.removeExpired();
            if (expired > 0) {
                LOG.log(Level.DEBUG, () -> expired + " connections expired");
            }
            stateFiles.writeStats(stats.snapshot());
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "housekeeping failed: " + e.getMessage());
        }
    }

    @Deactivate
    void deactivate() {
        if (housekeeping != null) {
            housekeeping.shutdownNow();
        }
        if (tlsPort > 0) {
            try {
                router.stop().get(5, TimeUnit.SECONDS);
            } catch (Exception e) {
                LOG.log(Level.WARNING, "router did not stop cleanly: " + e);
            }
        }
        if (server != null) {
            server.close();
        }
        if (stateFiles != null) {
            try {
                stateFiles.writeStats(stats.snapshot());
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "final stats not written: " + e.getMessage());
            }
        }
        LOG.log(Level.INFO, "GCS node " + nodeId + " stopped");
    }

    /** This node's id (after activation). */
    public NodeId nodeId() {
        return nodeId;
    }

    /** The bound TLS port (after activation). */
    public int tlsPort() {
        return tlsPort;
    }

    /** The bound STUN port, or -1 when STUN is off. */
    public int stunPort() {
        return stunPort;
    }

    /** The counters, as written to {@code stats.properties}. */
    public Map<String, Long> stats() {
        return stats.snapshot();
    }
}
