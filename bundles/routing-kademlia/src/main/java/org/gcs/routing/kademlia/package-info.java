/** The Kademlia routing backend of a GCS node, registered as an {@link org.gcs.api.routing.Router} with {@code gcs.routing=kademlia}; private to the bundle. */
package org.gcs.routing.kademlia;
