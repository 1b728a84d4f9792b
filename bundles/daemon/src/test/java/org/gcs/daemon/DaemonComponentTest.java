package org.gcs.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Proxy;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.gcs.api.NodeId;
import org.gcs.api.routing.NodeAddress;
import org.gcs.daemon.core.DaemonSettings;
import org.junit.jupiter.api.Test;

class DaemonComponentTest {
    /** A Config as DS would make it from {@code values}, falling back to the annotation defaults. */
    private static DaemonComponent.Config config(Map<String, Object> values) {
        return (DaemonComponent.Config) Proxy.newProxyInstance(DaemonComponent.Config.class.getClassLoader(),
                new Class<?>[] {DaemonComponent.Config.class}, (proxy, method, args) -> {
                    Object v = values.get(method.getName().replace("__", "_"));
                    return v != null ? v : method.getDefaultValue();
                });
    }

    private static Map<String, Object> required() {
        Map<String, Object> m = new HashMap<>();
        m.put("node_host", "127.0.0.1");
        m.put("node_port", 7000);
        m.put("node_id", "AB".repeat(32));
        m.put("device", "laptop");
        return m;
    }

    @Test
    void mapsConfigurationWithDefaults() {
        DaemonSettings s = DaemonComponent.settings(config(required()));
        assertEquals(List.of(new NodeAddress(NodeId.fromHex("ab".repeat(32)), "127.0.0.1", 7000)), s.bootstrap());
        assertEquals(Path.of("state/handlers"), s.handlersFile());
        assertEquals("pk", s.scheme());
        assertEquals(Path.of("state/user.key"), s.keyFile());
        assertEquals(Path.of("friends.txt"), s.friendsFile());
        assertEquals(DaemonSettings.Privacy.UPLOAD, s.privacy());
        assertEquals("127.0.0.1", s.api().host());
        assertEquals(7010, s.api().port());
        assertEquals(Path.of("state/api/daemon.sock"), s.api().socket());
        assertFalse(s.api().allowRemote());
        assertEquals(Duration.ofSeconds(10), s.api().helloTimeout());
        assertEquals(64, s.api().maxPendingHellos());
        assertEquals(Duration.ofSeconds(30), s.connectTimeout());
        assertEquals(Duration.ofSeconds(30), s.decisionTimeout());
    }

    @Test
    void rejectsBadValues() {
        Map<String, Object> m = required();
        m.put("privacy_mode", "public");
        assertThrows(IllegalArgumentException.class, () -> DaemonComponent.settings(config(m)));
        Map<String, Object> n = required();
        n.put("node_id", "1234");
        assertThrows(IllegalArgumentException.class, () -> DaemonComponent.settings(config(n)));
        Map<String, Object> d = required();
        d.put("device", "my laptop");
        assertThrows(IllegalArgumentException.class, () -> DaemonComponent.settings(config(d)));
        Map<String, Object> p = required();
        p.put("privacy_mode", "LOCAL");
        assertEquals(DaemonSettings.Privacy.LOCAL, DaemonComponent.settings(config(p)).privacy());
    }

    /** A non-loopback api.host would hand the user's friends and identity to the LAN: only with api.allow.remote. */
    @Test
    void aNonLoopbackApiHostStopsTheDaemonUnlessRemoteAccessIsAllowed() {
        for (String host : new String[] {"0.0.0.0", "::", "192.0.2.1"}) {
            Map<String, Object> m = required();
            m.put("api_host", host);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> new DaemonComponent().activate(config(m)), host);
            assertTrue(e.getMessage().contains("api.host=" + host) && e.getMessage().contains("api.allow.remote=true"),
                    e.getMessage());
        }
        Map<String, Object> allowed = required();
        allowed.put("api_host", "0.0.0.0");
        allowed.put("api_allow_remote", true);
        assertTrue(DaemonComponent.settings(config(allowed)).api().allowRemote());
        for (String host : new String[] {"127.0.0.1", "127.0.0.2", "::1", "localhost"}) {
            Map<String, Object> m = required();
            m.put("api_host", host);
            assertEquals(host, DaemonComponent.settings(config(m)).api().host());
        }
        Map<String, Object> noTcp = required();
        noTcp.put("api_host", "0.0.0.0");
        noTcp.put("api_port", -1);
        assertFalse(DaemonComponent.settings(config(noTcp)).api().tcp(), "no TCP endpoint, nothing exposed");
        Map<String, Object> socket = required();
        socket.put("api_socket", "/run/user/1000/gcs/daemon.sock");
        assertEquals(Path.of("/run/user/1000/gcs/daemon.sock"), DaemonComponent.settings(config(socket)).api().socket());
        Map<String, Object> badPort = required();
        badPort.put("api_port", -2);
        assertThrows(IllegalArgumentException.class, () -> DaemonComponent.settings(config(badPort)));
        Map<String, Object> badTimeout = required();
        badTimeout.put("api_hello_timeout_seconds", 0);
        assertThrows(IllegalArgumentException.class, () -> DaemonComponent.settings(config(badTimeout)));
    }

    @Test
    void bootstrapNodesAreAListAndTheSingleNodeKeysAddOneMore() {
        Map<String, Object> m = new HashMap<>();
        m.put("device", "laptop");
        m.put("bootstrap_nodes", new String[] {"127.0.0.2:7000#" + "01".repeat(32) + ", [::1]:7001#" + "02".repeat(32),
                "node3.example:7002#" + "03".repeat(32)});
        DaemonSettings listOnly = DaemonComponent.settings(config(m));
        assertEquals(List.of(NodeAddress.parse("127.0.0.2:7000#" + "01".repeat(32)),
                NodeAddress.parse("[::1]:7001#" + "02".repeat(32)), NodeAddress.parse("node3.example:7002#" + "03".repeat(32))),
                listOnly.bootstrap());

        m.putAll(required());
        assertEquals(4, DaemonComponent.settings(config(m)).bootstrap().size());

        Map<String, Object> none = new HashMap<>();
        none.put("device", "laptop");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> DaemonComponent.settings(config(none)));
        assertTrue(e.getMessage().contains("bootstrap.nodes"), e.getMessage());
        Map<String, Object> bad = new HashMap<>(none);
        bad.put("bootstrap_nodes", new String[] {"127.0.0.2:7000"});
        assertThrows(IllegalArgumentException.class, () -> DaemonComponent.settings(config(bad)));
    }

    @Test
    void privacyModesAndMutualAuthentication() {
        DaemonSettings defaults = DaemonComponent.settings(config(required()));
        assertFalse(defaults.mutualAuth());
        assertFalse(defaults.requiresAuth(false));
        assertTrue(defaults.requiresAuth(true), "a friend's +auth requires it in any mode");
        Map<String, Object> m = required();
        m.put("privacy_mode", "local-authenticated");
        DaemonSettings three = DaemonComponent.settings(config(m));
        assertEquals(DaemonSettings.Privacy.LOCAL_AUTHENTICATED, three.privacy());
        assertTrue(three.requiresAuth(false), "always on in mode 3");
        Map<String, Object> u = required();
        u.put("mutual_auth", true);
        assertTrue(DaemonComponent.settings(config(u)).requiresAuth(false));
        assertTrue(defaults.sameRestartingKeys(three), "a mode switch needs no restart");
        Map<String, Object> other = required();
        other.put("node_port", 7001);
        assertFalse(defaults.sameRestartingKeys(DaemonComponent.settings(config(other))));
    }
}
