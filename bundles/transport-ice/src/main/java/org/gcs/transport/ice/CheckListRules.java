package org.gcs.transport.ice;

import java.util.logging.Logger;
import org.ice4j.ice.CandidatePair;
import org.ice4j.ice.CandidatePairState;
import org.ice4j.ice.CandidateType;
import org.ice4j.ice.CheckList;
import org.ice4j.ice.CheckListState;
import org.ice4j.ice.Component;
import org.ice4j.ice.LocalCandidate;
import org.ice4j.ice.RemoteCandidate;

/**
 * What a session does to ice4j's check list beyond ice4j: pairs local candidates found after the checks started, and
 * keeps relayed candidates from being checked against a peer's private host addresses. Called on the session's serial
 * executor.
 */
final class CheckListRules {
    private static final Logger LOG = Logger.getLogger(IceSession.class.getName());

    private CheckListRules() {
    }

    /**
     * ice4j pairs a trickled remote candidate with the local candidates of that moment, but never pairs a local
     * candidate found after the checks started: this does, with every remote candidate known now. Server-reflexive
     * candidates are skipped (their base, a host candidate, is paired already: RFC 8445 6.1.2.4).
     */
    static void pairLateLocal(Component component, LocalCandidate c, boolean relayPrivateHosts, String name) {
        if (c.getType() == CandidateType.SERVER_REFLEXIVE_CANDIDATE || c.getType() == CandidateType.STUN_CANDIDATE) {
            return;
        }
        CheckList list = component.getParentStream().getCheckList();
        if (list.getState() != CheckListState.RUNNING) {
            return;
        }
        for (RemoteCandidate r : component.getRemoteCandidates()) {
            if (!c.canReach(r) || r.getTransportAddress().getPort() == 0 || list.findPairMatching(c, r) != null
                    || relayToPrivateHost(relayPrivateHosts, c, r)) {
                continue;
            }
            CandidatePair pair = new CandidatePair(c, r);
            synchronized (list) {
                list.add(pair);
            }
            pair.setStateWaiting();
            LOG.fine(() -> name + ": paired late local candidate " + pair.toShortString());
        }
    }

    /**
     * A relayed local candidate paired with a peer's host candidate on a private, link-local or loopback address: the
     * TURN server would have to reach into the peer's private network, which TURN operators deny (coturn
     * {@code denied-peer-ip}); every check would cost refused permission requests at the relay. Such pairs are not
     * checked unless {@code relay.private.hosts} is set.
     */
    static boolean relayToPrivateHost(boolean relayPrivateHosts, LocalCandidate c, RemoteCandidate r) {
        if (relayPrivateHosts || c.getType() != CandidateType.RELAYED_CANDIDATE
                || r.getType() != CandidateType.HOST_CANDIDATE) {
            return false;
        }
        java.net.InetAddress a = r.getTransportAddress().getAddress();
        return a.isSiteLocalAddress() || a.isLinkLocalAddress() || a.isLoopbackAddress() || isUniqueLocal(a);
    }

    private static boolean isUniqueLocal(java.net.InetAddress a) {
        return a instanceof java.net.Inet6Address && (a.getAddress()[0] & 0xfe) == 0xfc;
    }

    /**
     * ice4j pairs every local candidate with every remote one when the checks start and when a remote candidate comes
     * late: fail, before they are checked, the relay pairs {@link #relayToPrivateHost} rules out.
     */
    static void dropRelayPairsToPrivateHosts(Component component, boolean relayPrivateHosts) {
        CheckList list = component.getParentStream().getCheckList();
        synchronized (list) {
            for (CandidatePair pair : list) {
                if (pair.getState() != CandidatePairState.IN_PROGRESS && pair.getState() != CandidatePairState.SUCCEEDED
                        && pair.getState() != CandidatePairState.FAILED
                        && relayToPrivateHost(relayPrivateHosts, pair.getLocalCandidate(), pair.getRemoteCandidate())) {
                    pair.setStateFailed();
                }
            }
        }
    }
}
