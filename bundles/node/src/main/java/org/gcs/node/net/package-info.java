/** Netty plumbing of the node: TLS listener, framing, protobuf codec, fatal error handling and the STUN socket. */
package org.gcs.node.net;
