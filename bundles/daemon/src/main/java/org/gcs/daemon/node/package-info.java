/** The daemon's TLS connection to its GCS node: certificate pinning by node id, challenge-response login, pings, reconnects. */
package org.gcs.daemon.node;
