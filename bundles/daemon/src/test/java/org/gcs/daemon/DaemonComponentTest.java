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
        assertEquals("127.0.0.1", s.apiHost());
        assertEquals(7010, s.apiPort());
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
