package org.gcs.relay;

import java.lang.reflect.Proxy;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/** {@link RelayServer.Config} for tests: ephemeral loopback ports, a state directory, overrides by method name. */
final class RelayConfigs {
    private RelayConfigs() {
    }

    static RelayServer.Config ephemeral(Path stateDir, Map<String, Object> overrides) {
        Map<String, Object> values = new HashMap<>();
        values.put("host", "127.0.0.1");
        values.put("port", 0);
        values.put("stun_port", 0);
        values.put("state_dir", stateDir.toString());
        values.putAll(overrides);
        return (RelayServer.Config) Proxy.newProxyInstance(RelayServer.Config.class.getClassLoader(),
                new Class<?>[] {RelayServer.Config.class}, (proxy, method, args) -> switch (method.getName()) {
                    case "annotationType" -> RelayServer.Config.class;
                    case "toString" -> "Config" + values;
                    case "hashCode" -> values.hashCode();
                    case "equals" -> proxy == args[0];
                    default -> values.containsKey(method.getName()) ? values.get(method.getName()) : method.getDefaultValue();
                });
    }
}
