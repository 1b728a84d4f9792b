/** The ICE (ice4j) + QUIC (Netty) implementation of {@link org.gcs.api.transport.P2PTransport}; private to this bundle. */
package org.gcs.transport.ice;
