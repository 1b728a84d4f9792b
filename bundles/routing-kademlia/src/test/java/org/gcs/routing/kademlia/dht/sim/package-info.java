/**
 * A deterministic in-memory network on virtual time (event loop, schedulers, links with seeded latency) running the
 * real DHT code of many nodes in one thread; test sources only.
 */
package org.gcs.routing.kademlia.dht.sim;
