package org.gcs.transport.ice;

/**
 * JVM-wide ice4j switches that must be set before the first ice4j class loads; this class itself references no ice4j
 * type so that it can run first. ice4j reads them through Typesafe Config (system properties override
 * {@code reference.conf}) or through its legacy {@code org.ice4j.*} properties.
 */
final class IceProperties {
    /** Off: a new ice4j {@code Agent} would otherwise contact the cloud metadata service at 169.254.169.254. */
    static final String AWS_ENABLED = "ice4j.harvest.mapping.aws.enabled";
    static final String AWS_FORCE = "ice4j.harvest.mapping.aws.force";
    static final String LEGACY_DISABLE_AWS = "org.ice4j.ice.harvest.DISABLE_AWS_HARVESTER";
    /** ice4j StackProperties.MAX_CTRAN_RETRANS_TIMER / MAX_CTRAN_RETRANSMISSIONS (global for every STUN transaction). */
    static final String MAX_RETRANS_TIMER = "org.ice4j.MAX_CTRAN_RETRANS_TIMER";
    static final String MAX_RETRANSMISSIONS = "org.ice4j.MAX_RETRANSMISSIONS";

    private IceProperties() {
    }

    /** Turns every cloud-metadata mapping harvester off. Idempotent; call before ice4j loads. */
    static void disableCloudMetadata() {
        System.setProperty(AWS_ENABLED, "false");
        System.setProperty(AWS_FORCE, "false");
        System.setProperty(LEGACY_DISABLE_AWS, "true");
    }

    /**
     * Sets the STUN client-transaction retransmission limits explicitly: ice4j's {@code StunCandidateHarvester} sets
     * them to 400 ms / 3 when unset, silently shortening every connectivity check in the JVM.
     */
    static void stunRetransmissions(int maxTimerMillis, int maxRetransmissions) {
        System.setProperty(MAX_RETRANS_TIMER, Integer.toString(maxTimerMillis));
        System.setProperty(MAX_RETRANSMISSIONS, Integer.toString(maxRetransmissions));
    }
}
