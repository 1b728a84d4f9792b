/** An RFC 8489 STUN server (a node's, the baseline relay's): Binding requests answered with XOR-MAPPED-ADDRESS, anything malformed dropped. */
package org.gcs.internal.stun;
