/** The node's RFC 8489 STUN server: Binding requests answered with XOR-MAPPED-ADDRESS, anything malformed dropped. */
package org.gcs.node.stun;
