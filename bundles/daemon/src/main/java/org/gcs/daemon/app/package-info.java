/** The local application API: a Unix socket and a cookie-guarded loopback TCP port speaking AppFrame, one handler per connection. */
package org.gcs.daemon.app;
