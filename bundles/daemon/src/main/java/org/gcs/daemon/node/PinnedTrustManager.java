package org.gcs.daemon.node;

import org.gcs.api.NodeId;
import org.gcs.api.tls.PinningTrustManager;

/**
 * Trusts exactly one server: the node whose certificate's public key hashes to the pinned {@link NodeId} (the key is
 * the identity; names, issuers and dates do not matter). Never trusts clients.
 */
public final class PinnedTrustManager extends PinningTrustManager {
    public PinnedTrustManager(NodeId pinned) {
        super(Side.SERVERS, keyHashesTo(pinned, "node certificate refused"), "the node sent no certificate");
    }
}
