/** Persistent, mutually authenticated TLS 1.3 links between GCS nodes carrying multiplexed RPCs; private to the bundle. */
package org.gcs.routing.kademlia.link;
