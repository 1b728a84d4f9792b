package org.gcs.daemon;

import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.nio.file.Path;
import java.time.Duration;
import org.gcs.api.DeviceId;
import org.gcs.api.NodeId;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.gcs.api.routing.NodeAddress;
import org.gcs.api.auth.AuthProvider;
import org.gcs.api.auth.CredentialStore;
import org.gcs.api.transport.P2PTransport;
import org.gcs.daemon.app.ApiSettings;
import org.gcs.daemon.core.Daemon;
import org.gcs.daemon.core.DaemonSettings;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/**
 * The device daemon as a DS component, configured by PID {@code org.gcs.daemon} (required). The credential store is
 * the one whose {@code gcs.auth.scheme} service property matches: the default target is {@code (gcs.auth.scheme=pk)};
 * for another scheme set both {@code scheme} and {@code CredentialStore.target}, e.g.
 *
 * <pre>
 * bootstrap.nodes=127.0.0.1:7000#3f5a...64 hex, 127.0.0.2:7000#81c0...
 * device=laptop
 * scheme=bns
 * name=alice.id
 * CredentialStore.target=(gcs.auth.scheme=bns)
 * </pre>
 *
 * A mismatch between {@code scheme} and the bound store fails activation with a message saying so. Every
 * {@link AuthProvider} is tracked by its {@code gcs.auth.scheme} property to verify peers' signed offers and answers.
 */
@Component(name = DaemonComponent.PID, configurationPid = DaemonComponent.PID,
        configurationPolicy = ConfigurationPolicy.REQUIRE,
        property = "CredentialStore.target=(gcs.auth.scheme=pk)")
@Designate(ocd = DaemonComponent.Config.class)
public class DaemonComponent {
    public static final String PID = "org.gcs.daemon";
    private static final Logger LOG = System.getLogger(DaemonComponent.class.getName());

    /** Property names are dotted ({@code node.host}); DS maps each {@code _} of a method name to a dot. */
    @ObjectClassDefinition(name = "GCS daemon", description = "The device's connection to its GCS node and the local application API")
    public @interface Config {
        @AttributeDefinition(name = "bootstrap_nodes", description = "GCS nodes to ask for this user's handler nodes,"
                + " each host:port#node-id (the node id: 64 hex digits, SHA-256 of its TLS public key)", required = false)
        String[] bootstrap_nodes() default {};

        @AttributeDefinition(name = "node_host", description = "Host name or address of one GCS node (a bootstrap node"
                + " besides bootstrap.nodes)", required = false)
        String node_host() default "";

        @AttributeDefinition(name = "node_port", description = "TLS port of that node", required = false)
        int node_port() default 0;

        @AttributeDefinition(name = "node_id", description = "That node's id: 64 hex digits", required = false)
        String node_id() default "";

        @AttributeDefinition(description = "This device's name among the user's devices")
        String device();

        @AttributeDefinition(description = "Identity scheme: pk (raw Ed25519 key) or bns; must match CredentialStore.target")
        String scheme() default "pk";

        @AttributeDefinition(description = "The user's registered name for name-based schemes (bns); empty for pk", required = false)
        String name() default "";

        @AttributeDefinition(name = "key_file", description = "The user's private key file, created owner-only if missing")
        String key_file() default "state/user.key";

        @AttributeDefinition(name = "friends_file", description = "Friends list: lines '<user-id> <petname>', # comments")
        String friends_file() default "friends.txt";

        @AttributeDefinition(name = "privacy_mode", description = "upload: the node filters by the uploaded friends list; "
                + "local: the list stays here and the daemon refuses non-friends; local-authenticated: as local, and both "
                + "ends authenticate over the P2P channel before either application is told anything. Changeable at runtime.")
        String privacy_mode() default "upload";

        @AttributeDefinition(name = "mutual_auth", description = "Authenticate every channel end to end in modes upload "
                + "and local too (always on in local-authenticated). Changeable at runtime.")
        boolean mutual_auth() default false;

        @AttributeDefinition(name = "api_socket", description = "Unix domain socket of the application API, in a"
                + " directory only this user can enter (created 0700; one group or others can enter is refused); empty ="
                + " state_dir/api/daemon.sock. Its absolute path is written to state_dir/api.socket", required = false)
        String api_socket() default "";

        @AttributeDefinition(name = "api_host", description = "Address of the application API's TCP endpoint: loopback"
                + " unless api.allow.remote")
        String api_host() default "127.0.0.1";

        @AttributeDefinition(name = "api_port", description = "Port of the TCP endpoint, where applications must present"
                + " the cookie of state_dir/api.cookie (0 = any free port, see state_dir/api.port; -1 = no TCP endpoint)")
        int api_port() default ApiSettings.DEFAULT_PORT;

        @AttributeDefinition(name = "api_allow_remote", description = "Accept a non-loopback api.host: other machines"
                + " can then reach the API (the cookie is still required); warned about at every start")
        boolean api_allow_remote() default false;

        @AttributeDefinition(name = "api_hello_timeout_seconds", description = "An application connection that has"
                + " not completed AppHello within this is closed")
        int api_hello_timeout_seconds() default 10;

        @AttributeDefinition(name = "api_hello_pending_max", description = "Connections per endpoint that may wait"
                + " for their AppHello at once; more are refused (APP_BUSY)")
        int api_hello_pending_max() default ApiSettings.DEFAULT_MAX_PENDING_HELLOS;

        @AttributeDefinition(name = "state_dir", description = "Directory where user-id, api.socket, api.port and"
                + " api.cookie are written")
        String state_dir() default "state";

        @AttributeDefinition(name = "connect_timeout_seconds", description = "How long a caller waits for the callee's answer")
        int connect_timeout_seconds() default 30;

        @AttributeDefinition(name = "decision_timeout_seconds", description = "How long a callee application may take to decide")
        int decision_timeout_seconds() default 30;
    }

    @Reference(name = "CredentialStore")
    private CredentialStore credentialStore;

    @Reference(name = "P2PTransport")
    private P2PTransport transport;

    /** Verifiers of peers' signed signaling, by scheme; they may come and go while the daemon runs. */
    private final Map<String, AuthProvider> authProviders = new ConcurrentHashMap<>();

    private Daemon daemon;

    @Reference(name = "AuthProvider", cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    void addAuthProvider(AuthProvider provider, Map<String, Object> properties) {
        String scheme = scheme(provider, properties);
        authProviders.put(scheme, provider);
        LOG.log(Level.INFO, "peer verification available for scheme " + scheme);
    }

    void removeAuthProvider(AuthProvider provider, Map<String, Object> properties) {
        authProviders.remove(scheme(provider, properties), provider);
    }

    private static String scheme(AuthProvider provider, Map<String, Object> properties) {
        Object s = properties.get(AuthProvider.SCHEME_PROPERTY);
        return s != null ? s.toString() : provider.scheme();
    }

    @Activate
    void activate(Config config) throws Exception {
        DaemonSettings settings = settings(config);
        if (!settings.scheme().equals(credentialStore.scheme())) {
            throw new IllegalStateException("scheme=" + settings.scheme() + " but the bound CredentialStore serves "
                    + credentialStore.scheme() + "; set CredentialStore.target=(gcs.auth.scheme=" + settings.scheme() + ")");
        }
        daemon = new Daemon(settings, credentialStore, transport, authProviders::get);
        try {
            daemon.start();
        } catch (Exception e) {
            LOG.log(Level.ERROR, "GCS daemon failed to start: " + e.getMessage(), e);
            daemon = null;
            throw e;
        }
    }

    /**
     * A changed configuration: privacy mode, mutual authentication and timeouts apply to the running daemon (the node's
     * copy of the friends list is replaced or cleared at once); any other change restarts the daemon.
     */
    @Modified
    void modified(Config config) throws Exception {
        DaemonSettings next = settings(config);
        Daemon d = daemon;
        if (d != null && d.settings().sameRestartingKeys(next)) {
            d.reconfigure(next);
            return;
        }
        LOG.log(Level.INFO, "GCS daemon configuration changed: restarting");
        deactivate();
        activate(config);
    }

    @Deactivate
    void deactivate() {
        if (daemon != null) {
            daemon.close();
            daemon = null;
        }
    }

    /** {@code bootstrap.nodes}, then the node of {@code node.host}, {@code node.port}, {@code node.id} if set. */
    static List<NodeAddress> bootstrap(Config c) {
        List<NodeAddress> nodes = new ArrayList<>();
        for (String entry : c.bootstrap_nodes()) {
            for (String one : entry.split(",")) {
                if (!one.isBlank()) {
                    nodes.add(NodeAddress.parse(one));
                }
            }
        }
        if (!c.node_host().isBlank() || !c.node_id().isBlank()) {
            nodes.add(new NodeAddress(NodeId.fromHex(c.node_id().trim().toLowerCase(java.util.Locale.ROOT)),
                    c.node_host().trim(), c.node_port()));
        }
        return nodes;
    }

    static DaemonSettings settings(Config c) {
        Path stateDir = Path.of(c.state_dir());
        ApiSettings api = new ApiSettings(
                c.api_socket().isBlank() ? ApiSettings.defaultSocket(stateDir) : Path.of(c.api_socket().trim()),
                c.api_host(),
                c.api_port(),
                c.api_allow_remote(),
                Duration.ofSeconds(c.api_hello_timeout_seconds()),
                c.api_hello_pending_max());
        return new DaemonSettings(
                bootstrap(c),
                DeviceId.of(c.device()),
                c.scheme().trim(),
                c.name(),
                Path.of(c.key_file()),
                Path.of(c.friends_file()),
                DaemonSettings.Privacy.parse(c.privacy_mode()),
                c.mutual_auth(),
                api,
                stateDir,
                Duration.ofSeconds(c.connect_timeout_seconds()),
                Duration.ofSeconds(c.decision_timeout_seconds()));
    }
}
