package org.gcs.node.session;

import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.gcs.api.auth.AuthProvider;

/**
 * The authentication providers the node currently sees, keyed by their {@value AuthProvider#SCHEME_PROPERTY} service
 * property. Providers may come and go while the node runs; each login looks its scheme up at that moment. Among
 * several providers for one scheme the highest {@code service.ranking} wins, then the lowest {@code service.id}.
 */
public final class AuthProviders {
    private static final System.Logger LOG = System.getLogger(AuthProviders.class.getName());
    private static final Comparator<Registration> PREFERENCE = Comparator.comparingInt(Registration::ranking).reversed()
            .thenComparingLong(Registration::serviceId);

    private record Registration(AuthProvider provider, String scheme, int ranking, long serviceId) {
    }

    private final List<Registration> registrations = new ArrayList<>();
    private volatile Map<String, AuthProvider> byScheme = Map.of();

    /** Adds (or, for a provider already known, updates) a provider with its service properties. */
    public synchronized void add(AuthProvider provider, Map<String, ?> properties) {
        registrations.removeIf(r -> r.provider() == provider);
        String scheme = schemeOf(provider, properties);
        registrations.add(new Registration(provider, scheme, intProperty(properties, "service.ranking"),
                longProperty(properties, "service.id")));
        rebuild();
        LOG.log(Level.INFO, () -> "auth provider for scheme " + scheme + " available: " + provider.getClass().getName());
    }

    /** Removes a provider; returns the scheme it served, or null if it was not known. */
    public synchronized String remove(AuthProvider provider) {
        String scheme = registrations.stream().filter(r -> r.provider() == provider).map(Registration::scheme)
                .findFirst().orElse(null);
        if (registrations.removeIf(r -> r.provider() == provider)) {
            rebuild();
            LOG.log(Level.INFO, () -> "auth provider for scheme " + scheme + " removed: " + provider.getClass().getName()
                    + (byScheme.containsKey(scheme) ? "; " + byScheme.get(scheme).getClass().getName() + " serves it now"
                            : "; no provider serves it now"));
        }
        return scheme;
    }

    public Optional<AuthProvider> forScheme(String scheme) {
        return Optional.ofNullable(byScheme.get(scheme));
    }

    private void rebuild() {
        Map<String, AuthProvider> map = new HashMap<>();
        registrations.stream().sorted(PREFERENCE).forEach(r -> map.putIfAbsent(r.scheme(), r.provider()));
        byScheme = Map.copyOf(map);
    }

    private static String schemeOf(AuthProvider provider, Map<String, ?> properties) {
        Object scheme = properties.get(AuthProvider.SCHEME_PROPERTY);
        if (scheme instanceof String s && !s.isEmpty()) {
            return s;
        }
        LOG.log(Level.WARNING, () -> provider.getClass().getName() + " has no " + AuthProvider.SCHEME_PROPERTY
                + " property; using its scheme() " + provider.scheme());
        return provider.scheme();
    }

    private static int intProperty(Map<String, ?> properties, String key) {
        return properties.get(key) instanceof Number n ? n.intValue() : 0;
    }

    private static long longProperty(Map<String, ?> properties, String key) {
        return properties.get(key) instanceof Number n ? n.longValue() : Long.MAX_VALUE;
    }
}
