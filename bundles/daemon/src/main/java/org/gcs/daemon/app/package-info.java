/** The local application API: a loopback Netty server speaking AppFrame, one handler per application connection. */
package org.gcs.daemon.app;
