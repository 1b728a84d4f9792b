package org.gcs.routing.kademlia.dht;

import java.util.List;

/**
 * What one iterative lookup found and what it cost. Immutable; any thread.
 *
 * @param target the key looked up
 * @param closest the closest contacts that answered, nearest first, at most k and at most
 *     {@link KadConfig#maxPerGroupPerResult()} per IP group (the local node is never among them)
 * @param hops the referral chain to the closest contact, counting the query to it: 1 when it was already in the
 *     routing table, 0 when nothing answered
 * @param rounds the longest referral chain of any contact that answered (the lookup's depth)
 * @param queries the requests sent
 * @param failures the requests that failed or timed out
 * @param elapsedMillis from start to end, on the scheduler's clock
 * @param outcome why the lookup ended
 */
public record LookupResult(Key target, List<Contact> closest, int hops, int rounds, int queries, int failures,
        long elapsedMillis, Outcome outcome) {
    /** Why a lookup ended. */
    public enum Outcome {
        /** The k closest contacts not given up on have all answered. */
        CONVERGED,
        /** The stop function said so. */
        STOPPED,
        /** {@link KadConfig#lookupTimeoutMillis()} passed. */
        TIMED_OUT,
        /** {@link KadConfig#maxQueriesPerLookup()} requests were sent. */
        QUERY_LIMIT
    }

    public LookupResult {
        closest = List.copyOf(closest);
    }
}
