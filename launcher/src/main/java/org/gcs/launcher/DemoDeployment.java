package org.gcs.launcher;

import java.io.IOException;

/**
 * What the first steps of a demo run started: Alice's and Bob's daemons, logged in, and a meter of the traffic the
 * nodes carried, read before and after the transfer to show the file did not go through them.
 *
 * @param trafficName what {@code meter} counts, for the report ("the node", "the nodes' TLS and links")
 */
record DemoDeployment(DaemonProcess alice, DaemonProcess bob, String trafficName, ByteMeter meter) {

    /** A counter of bytes carried so far. */
    @FunctionalInterface
    interface ByteMeter {
        long read() throws IOException;
    }

    /** The bytes carried so far. */
    long nodeBytes() throws IOException {
        return meter.read();
    }
}
