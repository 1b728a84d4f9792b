package org.gcs.api.transport;

/** The kind of the local candidate on the selected pair, which says whether data flows directly or through a relay. */
public enum PathKind {
    HOST,
    SERVER_REFLEXIVE,
    PEER_REFLEXIVE,
    RELAYED
}
