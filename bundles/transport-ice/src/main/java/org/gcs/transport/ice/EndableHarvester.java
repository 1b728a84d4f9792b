package org.gcs.transport.ice;

/**
 * A candidate harvester whose work for a session must be ended before the session's agent is freed: ice4j's
 * {@code Agent.free()} shuts the STUN stack down first, after which a waiting harvest never completes and a TURN
 * allocation can no longer be deleted.
 */
interface EndableHarvester {
    /** Ends what is still waiting (and, for TURN, deletes the allocations); idempotent; later harvests do not start. */
    void end();
}
