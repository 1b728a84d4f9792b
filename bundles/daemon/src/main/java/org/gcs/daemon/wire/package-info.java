/** Netty codecs for the GCS wire format: 4-byte length-prefixed protobuf frames, shared by the node and app connections. */
package org.gcs.daemon.wire;
