package org.gcs.routing.kademlia.dht;

import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * The two requests one DHT node sends another: all the DHT knows of the network. The link layer implements it (and
 * on the receiving side calls {@link Kademlia#onFindNode} / {@link Kademlia#onPing}); the simulator implements it in
 * memory. Futures may complete on any thread, even before the method returns; every failure, a timeout included, is
 * a failed future, never an exception thrown by the method. Implementations must be thread-safe.
 */
public interface KadRpc {
    /** Asks {@code to} for the contacts it knows closest to {@code target} (at most k, nearest first). */
    CompletableFuture<List<Contact>> findNode(Contact to, Key target);

    /** Checks that {@code to} is alive. */
    CompletableFuture<Void> ping(Contact to);
}
