package org.gcs.examples;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/** Command-line options of the examples: {@code --name value} pairs and value-less flags. */
public final class Args {
    private final Map<String, String> values;

    private Args(Map<String, String> values) {
        this.values = values;
    }

    /**
     * Parses {@code args} from index {@code from}.
     *
     * @param flags options that take no value
     * @throws IllegalArgumentException for an unknown option, a missing value or a stray word
     */
    public static Args parse(String[] args, int from, Set<String> options, Set<String> flags) {
        Map<String, String> values = new HashMap<>();
        for (int i = from; i < args.length; i++) {
            String a = args[i];
            if (!a.startsWith("--")) {
                throw new IllegalArgumentException("unexpected argument: " + a);
            }
            String name = a.substring(2);
            if (flags.contains(name)) {
                values.put(name, "true");
            } else if (options.contains(name)) {
                if (i + 1 >= args.length) {
                    throw new IllegalArgumentException("--" + name + " needs a value");
                }
                values.put(name, args[++i]);
            } else {
                throw new IllegalArgumentException("unknown option: " + a);
            }
        }
        return new Args(values);
    }

    public String required(String name) {
        String v = values.get(name);
        if (v == null) {
            throw new IllegalArgumentException("--" + name + " is required");
        }
        return v;
    }

    public String get(String name, String fallback) {
        return values.getOrDefault(name, fallback);
    }

    public boolean flag(String name) {
        return values.containsKey(name);
    }

    public int port(String name) {
        String v = required(name);
        try {
            int p = Integer.parseInt(v);
            if (p < 1 || p > 65535) {
                throw new NumberFormatException();
            }
            return p;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--" + name + " must be a port number 1-65535: " + v);
        }
    }
}
