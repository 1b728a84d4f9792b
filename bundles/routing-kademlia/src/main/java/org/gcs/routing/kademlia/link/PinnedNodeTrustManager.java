package org.gcs.routing.kademlia.link;

import org.gcs.api.NodeId;
import org.gcs.api.tls.PinningTrustManager;

/**
 * The dialer's trust: exactly the node whose certificate's public key hashes to the dialed {@link NodeId}. One instance
 * per dial: it remembers why it refused, so the dial can fail with that reason rather than a bare handshake failure.
 */
final class PinnedNodeTrustManager extends PinningTrustManager {
    PinnedNodeTrustManager(NodeId expected) {
        super(Side.SERVERS, keyHashesTo(expected, "wrong node"), "the node sent no certificate");
    }
}
