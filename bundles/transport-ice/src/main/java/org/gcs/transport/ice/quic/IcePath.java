package org.gcs.transport.ice.quic;

import java.io.IOException;
import java.net.DatagramPacket;

/**
 * The ICE side of the bridge: sends on and receives from the component, so packets follow the selected pair (and, with
 * TURN, a relay) without the QUIC layer knowing about candidates.
 */
public interface IcePath {
    /** Sends one datagram on the selected pair; fails while no pair is selected. */
    void send(byte[] data, int offset, int length) throws IOException;

    /** Blocks for the next non-STUN datagram from an authorised peer address; fails once the component is closed. */
    void receive(DatagramPacket packet) throws IOException;
}
