package org.gcs.transport.ice.quic;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketException;

/**
 * Connects Netty's QUIC datagram channel to the ICE component through a 127.0.0.1 socket and two threads:
 * {@code ice -> quic} copies what {@link IcePath#receive} yields to the QUIC channel's address, {@code quic -> ice}
 * passes what the QUIC channel sends here to {@link IcePath#send}. Only the QUIC channel's own address is forwarded.
 * The threads end when the shim socket (tx) or the ICE component (rx) is closed.
 */
final class UdpShim implements AutoCloseable {
    private static final int BUFFER_BYTES = 4 * 1024 * 1024;
    private static final int MAX_PACKET = 2048;

    private final IcePath path;
    private final String name;
    private final DatagramSocket socket;
    private volatile InetSocketAddress quicAddress;
    private volatile boolean closed;
    private Thread rx;
    private Thread tx;

    UdpShim(IcePath path, String name) throws SocketException {
        this.path = path;
        this.name = name;
        this.socket = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        socket.setReceiveBufferSize(BUFFER_BYTES);
        socket.setSendBufferSize(BUFFER_BYTES);
    }

    InetSocketAddress localAddress() {
        return (InetSocketAddress) socket.getLocalSocketAddress();
    }

    synchronized void start(InetSocketAddress quicChannelAddress, ClassLoader loader) {
        if (rx != null) {
            throw new IllegalStateException("already started");
        }
        this.quicAddress = quicChannelAddress;
        rx = new Thread(this::iceToQuic, "gcs-ice-rx-" + name);
        tx = new Thread(this::quicToIce, "gcs-ice-tx-" + name);
        for (Thread t : new Thread[] {rx, tx}) {
            t.setDaemon(true);
            t.setContextClassLoader(loader);
            t.start();
        }
    }

    private void iceToQuic() {
        byte[] buf = new byte[MAX_PACKET];
        DatagramPacket in = new DatagramPacket(buf, buf.length);
        DatagramPacket out = new DatagramPacket(buf, 0, quicAddress);
        while (!closed) {
            try {
                in.setData(buf, 0, buf.length);
                path.receive(in);
            } catch (IOException | RuntimeException e) {
                return; // the component is closed: the session is over
            }
            try {
                out.setData(buf, in.getOffset(), in.getLength());
                socket.send(out);
            } catch (IOException e) {
                if (socket.isClosed()) {
                    return;
                }
                // dropped: QUIC recovers
            }
        }
    }

    private void quicToIce() {
        byte[] buf = new byte[MAX_PACKET];
        DatagramPacket in = new DatagramPacket(buf, buf.length);
        while (!closed) {
            try {
                in.setData(buf, 0, buf.length);
                socket.receive(in);
            } catch (IOException e) {
                return; // shim closed
            }
            if (!quicAddress.equals(in.getSocketAddress())) {
                continue;
            }
            try {
                path.send(buf, in.getOffset(), in.getLength());
            } catch (IOException | RuntimeException e) {
                // no selected pair yet, or ICE already closed: dropped, QUIC retransmits
            }
        }
    }

    @Override
    public void close() {
        closed = true;
        socket.close();
    }
}
