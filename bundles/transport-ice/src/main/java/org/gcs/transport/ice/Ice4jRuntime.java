package org.gcs.transport.ice;

import java.util.logging.Logger;
import org.ice4j.ice.harvest.AwsCandidateHarvester;
import org.ice4j.ice.harvest.MappingCandidateHarvester;
import org.ice4j.ice.harvest.MappingCandidateHarvesters;

/**
 * First touch of ice4j, under the bundle's class loader as thread context class loader (ice4j reads
 * {@code reference.conf} through it in static initialisers; in Felix without it the failure is permanent).
 */
final class Ice4jRuntime {
    /** Strong reference: java.util.logging forgets the level of an unreferenced logger. */
    private static volatile Logger ice4jLogger;
    private static volatile Logger componentSocketLogger;

    private Ice4jRuntime() {
    }

    static synchronized void initialise(TransportSettings settings, ClassLoader loader) {
        IceProperties.disableCloudMetadata();
        IceProperties.stunRetransmissions(settings.stunMaxRetransmitTimerMs(), settings.stunMaxRetransmissions());
        Logger l = Logger.getLogger("org.ice4j");
        l.setLevel(settings.ice4jLogLevel());
        ice4jLogger = l;
        // Host sockets are read directly (SelectedPairPath), not through the component socket, which therefore reports
        // "No SocketContainer found!" at every nomination of a direct pair: expected here, so not shown.
        Logger cs = Logger.getLogger("org.ice4j.ice.ComponentSocket");
        cs.setLevel(java.util.logging.Level.OFF);
        componentSocketLogger = cs;
        Thread t = Thread.currentThread();
        ClassLoader previous = t.getContextClassLoader();
        t.setContextClassLoader(loader);
        try {
            for (MappingCandidateHarvester h : MappingCandidateHarvesters.getHarvesters()) {
                if (h instanceof AwsCandidateHarvester) {
                    throw new IllegalStateException("ice4j's AWS metadata harvester is enabled: refusing to run");
                }
            }
        } finally {
            t.setContextClassLoader(previous);
        }
    }
}
