package org.gcs.transport.ice;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import org.gcs.transport.ice.quic.IcePath;
import org.ice4j.ice.CandidatePair;
import org.ice4j.ice.CandidateType;
import org.ice4j.ice.Component;
import org.ice4j.ice.LocalCandidate;

/**
 * The QUIC channel's view of the ICE component, fixed to the selected pair once ICE chose it. On a pair whose local
 * candidate is one of our host sockets (host, server- or peer-reflexive), datagrams are read from and written to that
 * socket directly: ice4j's STUN stack still takes the STUN packets off it through its own filtered socket, everything
 * else is ours, from the selected remote address only. That skips ice4j's component socket (a reader thread per socket and
 * a queue hand-off per datagram), which is why {@link FixedAddressHarvester} does not register host sockets with it. A
 * pair with a local relayed candidate goes through the component socket, where ice4j's TURN client delivers.
 *
 * <p>Receiving blocks until a pair is selected (the caller's QUIC server listens before it knows the pair, and the
 * callee, which knows it first, may already send: what arrives meanwhile waits in the host socket's buffer) or until
 * {@link #close()}.
 */
final class SelectedPairPath implements IcePath {
    private static final int SELECTION_POLL_MS = 200;

    private record Route(DatagramSocket socket, InetSocketAddress remote, boolean viaComponent) {
    }

    private final Component component;
    private final Object lock = new Object();
    private volatile Route route;
    private volatile boolean closed;

    SelectedPairPath(Component component) {
        this.component = component;
    }

    /** Fixes the path to {@code pair}; later calls are ignored (ICE nominates once). */
    void select(CandidatePair pair) {
        LocalCandidate local = pair.getLocalCandidate();
        // host, server- and peer-reflexive candidates send from their base, a host candidate (ours)
        DatagramSocket socket = local.getType() != CandidateType.RELAYED_CANDIDATE
                && local.getBase() instanceof FixedAddressHarvester.OwnHostCandidate host
                && host.getCandidateIceSocketWrapper() != null
                ? host.getCandidateIceSocketWrapper().getUDPSocket() : null;
        boolean relayed = socket == null;
        if (relayed) {
            socket = component.getComponentSocket();
        }
        InetSocketAddress ta = pair.getRemoteCandidate().getTransportAddress();
        InetSocketAddress remote = new InetSocketAddress(ta.getAddress(), ta.getPort()); // TransportAddress.equals differs
        synchronized (lock) {
            if (route == null) {
                route = new Route(socket, remote, relayed);
                lock.notifyAll();
            }
        }
    }

    /**
     * Ends a {@link #receive} waiting for selection, or blocked on the selected host socket: the session is over and the
     * agent is about to be freed, so that socket is closed here too (ice4j's multiplexing socket did not always wake a
     * reader blocked in it when the agent freed it, and the channel's receive thread stayed).
     */
    void close() {
        closed = true;
        synchronized (lock) {
            lock.notifyAll();
        }
        Route r = route;
        if (r != null && !r.viaComponent()) {
            r.socket().close();
        }
    }

    @Override
    public void send(byte[] data, int offset, int length) throws IOException {
        Route r = route;
        if (r == null) {
            throw new IOException("no selected pair yet");
        }
        if (r.viaComponent()) {
            component.send(data, offset, length);
        } else {
            r.socket().send(new DatagramPacket(data, offset, length, r.remote()));
        }
    }

    @Override
    public void receive(DatagramPacket packet) throws IOException {
        Route r = awaitRoute();
        if (r.viaComponent()) {
            r.socket().receive(packet);
            return;
        }
        int capacity = packet.getData().length - packet.getOffset();
        while (true) {
            packet.setLength(capacity);
            r.socket().receive(packet);
            if (r.remote().equals(packet.getSocketAddress())) {
                return;
            } // else: not from the selected peer (a stray or a spoofed datagram): dropped
        }
    }

    private Route awaitRoute() throws IOException {
        Route r = route;
        if (r != null) {
            return r;
        }
        synchronized (lock) {
            while ((r = route) == null) {
                if (closed) {
                    throw new SocketException("ICE path closed before a pair was selected");
                }
                try {
                    lock.wait(SELECTION_POLL_MS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new SocketTimeoutException("interrupted while waiting for a selected pair");
                }
            }
            return r;
        }
    }
}
