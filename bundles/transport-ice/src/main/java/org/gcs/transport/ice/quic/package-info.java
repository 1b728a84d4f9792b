/** The QUIC secure channel (Netty QUIC, TLS 1.3 with pinned certificates) run over the ICE-selected path. */
package org.gcs.transport.ice.quic;
