package org.gcs.transport.ice;

import java.io.IOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.SocketException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import org.ice4j.Transport;
import org.ice4j.ice.Candidate;
import org.ice4j.ice.Component;
import org.ice4j.ice.HostCandidate;
import org.ice4j.ice.LocalCandidate;
import org.ice4j.ice.harvest.AbstractCandidateHarvester;
import org.ice4j.socket.IceSocketWrapper;
import org.ice4j.socket.IceUdpSocketWrapper;
import org.ice4j.socket.MultiplexingDatagramSocket;

/**
 * A host harvester for a fixed list of local IPs ({@code host_addresses}), loopback included: ice4j's own host
 * harvester never yields loopback candidates. Registers each socket like ice4j's harvester does (component socket and
 * STUN stack).
 */
final class FixedAddressHarvester extends AbstractCandidateHarvester {
    private final List<InetAddress> addresses;
    private final int portMin;
    private final int portMax;
    private final boolean pairable;

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

    @Override
    public Collection<LocalCandidate> harvest(Component component) {
        List<LocalCandidate> out = new ArrayList<>();
        for (InetAddress address : addresses) {
            try {
                IceSocketWrapper wrapper = new IceUdpSocketWrapper(bind(address));
                HostCandidate candidate = pairable ? new HostCandidate(wrapper, component, Transport.UDP)
                        : new UnpairedHostCandidate(wrapper, component);
                if (!component.addLocalCandidate(candidate)) {
                    wrapper.close();
                    continue;
                }
                candidate.getStunStack().addSocket(candidate.getStunSocket(null));
                if (component.getComponentSocket() != null) {
                    component.getComponentSocket().add(wrapper);
                }
                out.add(candidate);
            } catch (IOException e) {
                component.getLogger().warn("cannot bind a host candidate on " + address + ": " + e);
            }
        }
        return out;
    }

    /** A host candidate that pairs with nothing (relay_only). */
    private static final class UnpairedHostCandidate extends HostCandidate {
        UnpairedHostCandidate(IceSocketWrapper socket, Component component) {
            super(socket, component, Transport.UDP);
        }

        @Override
        public boolean canReach(Candidate<?> dst) {
            return false;
        }
    }

    private MultiplexingDatagramSocket bind(InetAddress address) throws SocketException {
        if (portMin == 0 && portMax == 0) {
            return new MultiplexingDatagramSocket(0, address);
        }
        SocketException last = null;
        // bounded: at most portMax - portMin + 1 attempts
        for (int port = portMin; port <= portMax; port++) {
            try {
                return new MultiplexingDatagramSocket(port, address);
            } catch (SocketException e) {
                last = e;
            }
        }
        BindException e = new BindException("no free UDP port in " + portMin + ".." + portMax + " on " + address);
        e.initCause(last);
        throw e;
    }
}
