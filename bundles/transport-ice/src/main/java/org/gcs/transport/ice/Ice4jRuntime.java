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
    private static volatile Logger connectorLogger;
    private static volatile Logger netAccessLogger;

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
        // A session's selected host socket is closed by the session itself (SelectedPairPath.close), before ice4j frees
        // the agent, so ice4j's STUN reader on it ends with "Socket closed" and logs it twice, with a stack trace, at every
        // tear-down. Those records are dropped; every other record of these loggers still shows.
        connectorLogger = quietOnClosedSocket("org.ice4j.stack.Connector");
        netAccessLogger = quietOnClosedSocket("org.ice4j.stack.NetAccessManager");
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

    private static Logger quietOnClosedSocket(String name) {
        Logger l = Logger.getLogger(name);
        l.setFilter(Ice4jRuntime::notAClosedSocket);
        return l;
    }

    /** False for a record whose exception says that its socket was closed (the expected end of a STUN reader). */
    static boolean notAClosedSocket(java.util.logging.LogRecord r) {
        return !(r.getThrown() instanceof java.net.SocketException e && "Socket closed".equals(e.getMessage()));
    }
}
