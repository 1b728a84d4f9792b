package org.gcs.transport.ice;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.ice4j.Transport;
import org.ice4j.TransportAddress;
import org.ice4j.ice.HostCandidate;
import org.ice4j.ice.harvest.StunCandidateHarvest;
import org.ice4j.ice.harvest.StunCandidateHarvester;

/**
 * ice4j's STUN harvester (server-reflexive candidates), whose harvests a session can end. ice4j's harvesting thread
 * waits, with no timeout and deaf to interrupts, until every harvest has an answer or a failure; when the agent is freed
 * first, its STUN stack cancels the requests without telling the harvests, and the thread waits forever (a session
 * abandoned within a second of its start left one such thread each: 16 after 5,000 connects in the soak). {@link #end}
 * completes what is left, so the thread returns.
 */
final class StunHarvester extends StunCandidateHarvester implements EndableHarvester {
    private final List<EndableHarvest> harvests = new CopyOnWriteArrayList<>();
    private volatile boolean ended;

    StunHarvester(String host, int port) {
        super(new TransportAddress(host, port, Transport.UDP));
    }

    /** A harvest that {@link #end} can complete; none once ended (ice4j then skips the host candidate). */
    @Override
    protected StunCandidateHarvest createHarvest(HostCandidate hostCandidate) {
        EndableHarvest h = new EndableHarvest(this, hostCandidate);
        harvests.add(h);
        if (ended) { // the session ended while this harvest was being made
            harvests.remove(h);
            return null;
        }
        return h;
    }

    /** Completes every harvest still waiting for its server, and any made later (idempotent); before the agent is freed. */
    @Override
    public void end() {
        ended = true;
        harvests.forEach(EndableHarvest::end);
    }

    private static final class EndableHarvest extends StunCandidateHarvest {
        EndableHarvest(StunCandidateHarvester harvester, HostCandidate hostCandidate) {
            super(harvester, hostCandidate);
        }

        void end() {
            completedResolvingCandidate(null, null); // a no-op once it completed on its own
        }
    }
}
