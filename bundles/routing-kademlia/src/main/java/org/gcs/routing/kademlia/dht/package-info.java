/**
 * The Kademlia DHT of GCS nodes (keys, routing table, iterative lookup, handler cache), reaching the network only
 * through {@link org.gcs.routing.kademlia.dht.KadRpc}; private to the bundle.
 */
package org.gcs.routing.kademlia.dht;
