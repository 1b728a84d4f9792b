package org.gcs.transport.ice;

import java.io.IOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import org.ice4j.Transport;
import org.ice4j.TransportAddress;
import org.ice4j.ice.Candidate;
import org.ice4j.ice.Component;
import org.ice4j.ice.HostCandidate;
import org.ice4j.ice.LocalCandidate;
import org.ice4j.ice.harvest.AbstractCandidateHarvester;
import org.ice4j.socket.IceSocketWrapper;
import org.ice4j.socket.IceUdpSocketWrapper;

/**
 * The host harvester of every session: binds one UDP socket per local IP, either the configured {@code host_addresses}
 * (loopback allowed: ice4j's own host harvester never yields loopback candidates) or, when none are configured, the
 * addresses of every interface that is up (IPv4, and IPv6 except link-local; loopback excluded). Registers each socket
 * with the STUN stack but not with the component socket: {@link SelectedPairPath} reads the selected host socket itself,
 * which it recognises by {@link OwnHostCandidate}.
 */
final class FixedAddressHarvester extends AbstractCandidateHarvester {
    private final List<InetAddress> addresses;
    private final int portMin;
    private final int portMax;
    private final boolean pairable;
    /** Asked of the kernel for each host socket (capped by net.core.rmem_max / wmem_max). */
    private static final int SOCKET_BUFFER_BYTES = 4 * 1024 * 1024;

    /**
     * @param pairable {@code false} for {@code relay_only}: the host candidates only serve as bases of STUN/TURN
     *     allocations and never form a candidate pair ({@link Candidate#canReach} is false)
     */
    FixedAddressHarvester(List<InetAddress> addresses, int portMin, int portMax, boolean pairable) {
        this.addresses = List.copyOf(addresses);
        this.portMin = portMin;
        this.portMax = portMax;
        this.pairable = pairable;
    }

    @Override
    public boolean isHostHarvester() {
        return true;
    }

    /**
     * A host candidate whose socket this harvester bound: {@link SelectedPairPath} reads it, and ice4j's STUN stack reads
     * it through {@link StunDemuxSocket#stunView}s, which hold no descriptor of their own.
     */
    static class OwnHostCandidate extends HostCandidate {
        private final StunDemuxSocket socket;

        OwnHostCandidate(StunDemuxSocket socket, Component component) {
            super(new IceUdpSocketWrapper(socket), component, Transport.UDP);
            this.socket = socket;
        }

        @Override
        public IceSocketWrapper getStunSocket(TransportAddress serverAddress) {
            return socket.stunSocket(serverAddress, getTransportAddress());
        }
    }

    /** The addresses of every interface that is up: IPv4, and IPv6 except link-local; no loopback. */
    static List<InetAddress> interfaceAddresses() {
        List<InetAddress> out = new ArrayList<>();
        try {
            for (NetworkInterface nif : java.util.Collections.list(NetworkInterface.getNetworkInterfaces())) {
                if (!nif.isUp() || nif.isLoopback()) {
                    continue;
                }
                for (InetAddress a : java.util.Collections.list(nif.getInetAddresses())) {
                    if (!a.isLoopbackAddress() && !a.isLinkLocalAddress() && !a.isAnyLocalAddress()) {
                        out.add(a);
                    }
                }
            }
        } catch (SocketException e) {
            // no interface list: no host candidates; the session reports that clearly
        }
        return out;
    }

    @Override
    public Collection<LocalCandidate> harvest(Component component) {
        List<LocalCandidate> out = new ArrayList<>();
        for (InetAddress address : addresses.isEmpty() ? interfaceAddresses() : addresses) {
            try {
                StunDemuxSocket socket = bind(address);
                // as large as the kernel allows (net.core.rmem_max): a burst of QUIC packets must not overflow it
                socket.setReceiveBufferSize(SOCKET_BUFFER_BYTES);
                socket.setSendBufferSize(SOCKET_BUFFER_BYTES);
                HostCandidate candidate = pairable ? new OwnHostCandidate(socket, component)
                        : new UnpairedHostCandidate(socket, component);
                if (!component.addLocalCandidate(candidate)) {
                    socket.close();
                    continue;
                }
                candidate.getStunStack().addSocket(candidate.getStunSocket(null));
                // not added to the component socket: SelectedPairPath reads the selected host socket itself
                out.add(candidate);
            } catch (IOException e) {
                component.getLogger().warn("cannot bind a host candidate on " + address + ": " + e);
            }
        }
        return out;
    }

    /** A host candidate that pairs with nothing (relay_only). */
    private static final class UnpairedHostCandidate extends OwnHostCandidate {
        UnpairedHostCandidate(StunDemuxSocket socket, Component component) {
            super(socket, component);
        }

        @Override
        public boolean canReach(Candidate<?> dst) {
            return false;
        }
    }

    private StunDemuxSocket bind(InetAddress address) throws SocketException {
        if (portMin == 0 && portMax == 0) {
            return new StunDemuxSocket(0, address);
        }
        SocketException last = null;
        // bounded: at most portMax - portMin + 1 attempts
        for (int port = portMin; port <= portMax; port++) {
            try {
                return new StunDemuxSocket(port, address);
            } catch (SocketException e) {
                last = e;
            }
        }
        BindException e = new BindException("no free UDP port in " + portMin + ".." + portMax + " on " + address);
        e.initCause(last);
        throw e;
    }
}
