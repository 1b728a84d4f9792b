package org.gcs.launcher;

import java.net.InetSocketAddress;

/**
 * A running baseline relay ({@code relay.jar}): its id, which clients pin, and its TLS and STUN ports, as its
 * {@code state/relay.properties} says.
 */
public record RelayProcess(RoleProcess process, String relayId, String host, int tlsPort, int stunPort) {
    /** Where baseline clients connect. */
    public InetSocketAddress address() {
        return new InetSocketAddress(host, tlsPort);
    }
}
