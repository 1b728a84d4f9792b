package org.gcs.transport.ice;

import org.gcs.api.transport.PathKind;
import org.gcs.transport.ice.wire.CandidateInfo;
import org.gcs.transport.ice.wire.WireCodec;
import org.ice4j.Transport;
import org.ice4j.TransportAddress;
import org.ice4j.ice.CandidateType;
import org.ice4j.ice.Component;
import org.ice4j.ice.LocalCandidate;
import org.ice4j.ice.RemoteCandidate;

/** Candidates between ice4j's types and the wire's, and the path kind a pair of candidate types makes. */
final class CandidateMapping {
    private CandidateMapping() {
    }

    /**
     * The path of a selected pair: the most indirect of its local and remote candidate types, in the order HOST &lt;
     * SERVER_REFLEXIVE &lt; PEER_REFLEXIVE &lt; RELAYED ({@link PathKind}'s declaration order). A NATed host that
     * reaches a server-reflexive remote by hole punching reports SERVER_REFLEXIVE, not HOST; a pair with a relayed
     * candidate on either end reports RELAYED.
     */
    static PathKind pathKindOf(CandidateType local, CandidateType remote) {
        PathKind a = pathKindOf(local);
        PathKind b = pathKindOf(remote);
        return a.compareTo(b) >= 0 ? a : b;
    }

    static PathKind pathKindOf(CandidateType type) {
        if (type == CandidateType.SERVER_REFLEXIVE_CANDIDATE || type == CandidateType.STUN_CANDIDATE) {
            return PathKind.SERVER_REFLEXIVE;
        }
        if (type == CandidateType.PEER_REFLEXIVE_CANDIDATE) {
            return PathKind.PEER_REFLEXIVE;
        }
        if (type == CandidateType.RELAYED_CANDIDATE) {
            return PathKind.RELAYED;
        }
        return PathKind.HOST;
    }

    /** What the peer learns of a local candidate: {@code null} for TCP and for an address the wire cannot carry. */
    static CandidateInfo toInfo(LocalCandidate c) {
        if (c.getTransport() != Transport.UDP) {
            return null;
        }
        CandidateInfo.Type type = switch (pathKindOf(c.getType())) {
            case HOST -> CandidateInfo.Type.HOST;
            case SERVER_REFLEXIVE -> CandidateInfo.Type.SERVER_REFLEXIVE;
            case PEER_REFLEXIVE -> CandidateInfo.Type.PEER_REFLEXIVE;
            case RELAYED -> CandidateInfo.Type.RELAYED;
        };
        TransportAddress addr = c.getTransportAddress();
        TransportAddress rel = c.getRelatedAddress();
        String foundation = c.getFoundation();
        if (foundation == null || foundation.isEmpty() || foundation.length() > WireCodec.MAX_FOUNDATION) {
            foundation = Integer.toString(Math.abs(addr.hashCode() % 100000));
        }
        try {
            return new CandidateInfo(foundation, c.getPriority(), type, addr.getAddress(), addr.getPort(),
                    rel == null || type == CandidateInfo.Type.HOST ? null : rel.getAddress(),
                    rel == null || type == CandidateInfo.Type.HOST ? 0 : rel.getPort());
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    /** A peer's candidate as ice4j's remote candidate of {@code component}. */
    static RemoteCandidate toRemote(Component component, CandidateInfo c) {
        CandidateType type = switch (c.type()) {
            case HOST -> CandidateType.HOST_CANDIDATE;
            case SERVER_REFLEXIVE -> CandidateType.SERVER_REFLEXIVE_CANDIDATE;
            case PEER_REFLEXIVE -> CandidateType.PEER_REFLEXIVE_CANDIDATE;
            case RELAYED -> CandidateType.RELAYED_CANDIDATE;
        };
        RemoteCandidate related = null;
        if (c.relatedAddress() != null) {
            related = component.findRemoteCandidate(new TransportAddress(c.relatedAddress(), c.relatedPort(), Transport.UDP));
        }
        return new RemoteCandidate(new TransportAddress(c.address(), c.port(), Transport.UDP), component, type,
                c.foundation(), c.priority(), related);
    }
}
