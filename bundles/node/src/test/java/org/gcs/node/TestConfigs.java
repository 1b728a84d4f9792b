package org.gcs.node;

import java.lang.reflect.Proxy;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/** {@link GcsNode.Config} instances for tests: the annotation's defaults with some values overridden. */
final class TestConfigs {
    private TestConfigs() {
    }

    /** A config on 127.0.0.1 with ephemeral TLS and STUN ports in {@code stateDir}; {@code overrides} by method name. */
    static GcsNode.Config ephemeral(Path stateDir, Map<String, Object> overrides) {
        Map<String, Object> values = new HashMap<>();
        values.put("port", 0);
        values.put("stun_port", 0);
        values.put("state_dir", stateDir.toString());
        values.putAll(overrides);
        return (GcsNode.Config) Proxy.newProxyInstance(GcsNode.Config.class.getClassLoader(),
                new Class<?>[] {GcsNode.Config.class}, (proxy, method, args) -> switch (method.getName()) {
                    case "annotationType" -> GcsNode.Config.class;
                    case "toString" -> "Config" + values;
                    case "hashCode" -> values.hashCode();
                    case "equals" -> proxy == args[0];
                    default -> values.containsKey(method.getName()) ? values.get(method.getName()) : method.getDefaultValue();
                });
    }
}
