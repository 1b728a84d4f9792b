package org.gcs.api.transport;

/**
 * The kind of path a channel runs on: the most indirect of the two candidates of the selected pair, in the order
 * {@code HOST < SERVER_REFLEXIVE < PEER_REFLEXIVE < RELAYED}. {@code RELAYED} means the data flows through a TURN
 * relay; every other kind is a direct path.
 */
public enum PathKind {
    HOST,
    SERVER_REFLEXIVE,
    PEER_REFLEXIVE,
    RELAYED
}
