/** Pipes between a local TCP connection and a P2P channel: raw bytes with half-close for DATA, length-prefixed datagrams for STREAM. */
package org.gcs.daemon.pipe;
