package org.gcs.launcher;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.ServerSocket;

/**
 * Whether a port a restarted process had is still free, checked by binding it for a moment (with
 * {@code SO_REUSEADDR}, as the roles' listeners bind, so connections of the ended process in TIME_WAIT do not count).
 * There is a short window between the check and the process binding the port; on one test machine that is enough.
 */
final class FreePorts {
    private FreePorts() {
    }

    /** {@code port} if a TCP listener could bind it on {@code host} now, else 0 (any free port). */
    static int tcpOrAny(String host, int port) {
        if (port <= 0) {
            return 0;
        }
        try (ServerSocket socket = new ServerSocket()) {
            socket.setReuseAddress(true);
            socket.bind(new InetSocketAddress(host, port));
            return port;
        } catch (IOException e) {
            return 0;
        }
    }

    /** {@code port} if a UDP socket could bind it on {@code host} now, else 0 (any free port). */
    static int udpOrAny(String host, int port) {
        if (port <= 0) {
            return 0;
        }
        try (DatagramSocket socket = new DatagramSocket(new InetSocketAddress(host, port))) {
            return port;
        } catch (IOException e) {
            return 0;
        }
    }
}
