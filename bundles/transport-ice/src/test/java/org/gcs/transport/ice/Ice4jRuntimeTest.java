package org.gcs.transport.ice;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.SocketException;
import java.util.Map;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.Test;

class Ice4jRuntimeTest {
    private static LogRecord record(Throwable thrown) {
        LogRecord r = new LogRecord(Level.WARNING, "Connector died: 127.0.0.1:40000/udp -> null");
        r.setThrown(thrown);
        return r;
    }

    @Test
    void aStunReaderEndingOnItsClosedSocketIsNotLoggedOtherSocketErrorsAre() {
        assertFalse(Ice4jRuntime.notAClosedSocket(record(new SocketException("Socket closed"))));
        assertTrue(Ice4jRuntime.notAClosedSocket(record(new SocketException("Network is unreachable"))));
        assertTrue(Ice4jRuntime.notAClosedSocket(record(new IllegalStateException("Socket closed"))));
        assertTrue(Ice4jRuntime.notAClosedSocket(record(null)));
    }

    @Test
    void theTransportInstallsTheFilterOnIce4jsStunReaders() {
        IceTransport ice = new IceTransport(TransportSettings.configOf(Map.of("host_addresses", new String[] {"127.0.0.1"})));
        try {
            for (String name : new String[] {"org.ice4j.stack.Connector", "org.ice4j.stack.NetAccessManager"}) {
                var filter = Logger.getLogger(name).getFilter();
                assertNotNull(filter, name);
                assertFalse(filter.isLoggable(record(new SocketException("Socket closed"))), name);
                assertTrue(filter.isLoggable(record(new SocketException("Permission denied"))), name);
            }
        } finally {
            ice.deactivate();
        }
    }
}
