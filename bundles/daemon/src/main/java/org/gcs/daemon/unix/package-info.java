/** Unix domain sockets as Netty channels that honour half-closure, which Netty 4.2.18's own NIO domain channels do not. */
package org.gcs.daemon.unix;
