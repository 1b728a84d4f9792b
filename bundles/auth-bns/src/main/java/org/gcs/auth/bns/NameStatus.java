package org.gcs.auth.bns;

/** What a name service says of a name now; only {@link #ACTIVE} lets its owner log in. */
public enum NameStatus {
    /** Registered, not expired (or a lifetime name); includes the indexer's "expiring-soon". */
    ACTIVE,
    /** Past its expiry, within the 5,000-block grace period in which only the owner may renew it. */
    GRACE_PERIOD,
    EXPIRED,
    REVOKED,
    /** No such name (or no such namespace). */
    UNKNOWN
}
