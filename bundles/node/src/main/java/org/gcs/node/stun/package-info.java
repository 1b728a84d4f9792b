/** A minimal RFC 5389 STUN responder: Binding requests answered with the sender's XOR-MAPPED-ADDRESS. */
package org.gcs.node.stun;
