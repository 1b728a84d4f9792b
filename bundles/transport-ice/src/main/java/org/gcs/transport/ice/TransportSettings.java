package org.gcs.transport.ice;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Level;
import org.gcs.transport.ice.quic.QuicEndpoint;

/**
 * The validated configuration of {@link IceTransport}; see {@link IceTransport.Config} for the meaning and defaults.
 */
record TransportSettings(List<InetAddress> hostAddresses, int portMin, int portMax, int stunMaxRetransmitTimerMs,
                         int stunMaxRetransmissions, int eventLoopThreads, Level ice4jLogLevel,
                         QuicEndpoint.Settings quic, Duration relayNominationDelay, Duration iceFailedGrace,
                         boolean relayOnly, Duration turnRefreshMax, boolean relayPrivateHosts) {
    TransportSettings {
        hostAddresses = List.copyOf(hostAddresses);
        boolean ephemeral = portMin == 0 && portMax == 0;
        if (!ephemeral && (portMin < 1 || portMax > 65535 || portMin > portMax)) {
            throw new IllegalArgumentException("bad UDP port range " + portMin + ".." + portMax);
        }
        if (stunMaxRetransmitTimerMs < 100 || stunMaxRetransmissions < 1) {
            throw new IllegalArgumentException("bad STUN retransmission settings");
        }
        if (eventLoopThreads < 1) {
            throw new IllegalArgumentException("event_loop_threads must be >= 1");
        }
        if (relayNominationDelay.isNegative() || iceFailedGrace.isNegative()) {
            throw new IllegalArgumentException("relay_nomination_delay_ms and ice_failed_grace_ms must be >= 0");
        }
        if (turnRefreshMax.isNegative()) {
            throw new IllegalArgumentException("turn_refresh_max_ms must be >= 0");
        }
        if (relayOnly && hostAddresses.isEmpty()) {
            throw new IllegalArgumentException("relay_only needs host_addresses (the bases of the TURN allocations)");
        }
    }

    /** The defaults of {@link IceTransport.Config}, with some elements overridden (by element name). */
    static TransportSettings of(java.util.Map<String, Object> overrides) {
        return from(configOf(overrides));
    }

    /** A {@link IceTransport.Config} answering {@code overrides} or else each element's declared default. */
    static IceTransport.Config configOf(java.util.Map<String, Object> overrides) {
        java.util.Map<String, Object> values = java.util.Map.copyOf(overrides);
        return (IceTransport.Config) java.lang.reflect.Proxy.newProxyInstance(IceTransport.Config.class.getClassLoader(),
                new Class<?>[] {IceTransport.Config.class}, (proxy, method, args) -> switch (method.getName()) {
                    case "annotationType" -> IceTransport.Config.class;
                    case "toString" -> "Config" + values;
                    case "hashCode" -> values.hashCode();
                    case "equals" -> proxy == args[0];
                    default -> values.containsKey(method.getName()) ? values.get(method.getName()) : method.getDefaultValue();
                });
    }

    /** A copy gathering host candidates only on {@code addresses} (e.g. 127.0.0.1 for tests). */
    TransportSettings withHostAddresses(List<InetAddress> addresses) {
        return new TransportSettings(addresses, portMin, portMax, stunMaxRetransmitTimerMs, stunMaxRetransmissions,
                eventLoopThreads, ice4jLogLevel, quic, relayNominationDelay, iceFailedGrace, relayOnly, turnRefreshMax,
                relayPrivateHosts);
    }

    static TransportSettings from(IceTransport.Config c) {
        List<InetAddress> hosts = new ArrayList<>();
        for (String s : c.host_addresses()) {
            String t = s.trim();
            if (t.isEmpty()) {
                continue;
            }
            if (!t.matches("[0-9a-fA-F.:]+")) {
                throw new IllegalArgumentException("host_addresses takes IP literals, not " + t);
            }
            try {
                hosts.add(InetAddress.getByName(t));
            } catch (UnknownHostException e) {
                throw new IllegalArgumentException("bad host address " + t, e);
            }
        }
        return new TransportSettings(hosts, c.port_min(), c.port_max(), c.stun_max_retransmit_timer_ms(),
                c.stun_max_retransmissions(), c.event_loop_threads(), Level.parse(c.ice4j_log_level()),
                new QuicEndpoint.Settings(Duration.ofMillis(c.quic_idle_timeout_ms()), c.quic_max_data(),
                        c.quic_max_stream_data(), c.datagram_queue(), Duration.ofMillis(c.close_linger_ms()),
                        Duration.ofMillis(c.keepalive_interval_ms()), c.quic_direct()),
                Duration.ofMillis(c.relay_nomination_delay_ms()), Duration.ofMillis(c.ice_failed_grace_ms()),
                c.relay_only(), Duration.ofMillis(c.turn_refresh_max_ms()), c.relay_private_hosts());
    }
}
