package org.gcs.routing.kademlia.link;

import org.gcs.api.tls.PinningTrustManager;

/**
 * The listener's trust: any client with a self-signed certificate; which node it is (its key's hash) is checked
 * afterwards, against the id it claims in its hello. Trusts no servers.
 */
final class SelfSignedNodeTrustManager extends PinningTrustManager {
    SelfSignedNodeTrustManager() {
        super(Side.CLIENTS, selfSigned("the node's certificate"), "the node sent no certificate");
    }
}
