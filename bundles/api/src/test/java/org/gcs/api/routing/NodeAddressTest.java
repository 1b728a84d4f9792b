package org.gcs.api.routing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.gcs.api.NodeId;
import org.junit.jupiter.api.Test;

class NodeAddressTest {
    private static final String ID = "ab".repeat(32);

    @Test
    void roundTripsThroughItsPrintableFormForNamesV4AndV6() {
        for (String text : new String[] {"node1.example:7000#" + ID, "127.0.0.2:7001#" + ID, "[::1]:7002#" + ID}) {
            NodeAddress address = NodeAddress.parse(text);
            assertEquals(text, address.toString());
            assertEquals(NodeId.fromHex(ID), address.id());
        }
        assertEquals("::1", NodeAddress.parse("[::1]:7002#" + ID).host());
        assertEquals(NodeAddress.parse("h:1#" + ID), NodeAddress.parse(" h:1#" + ID.toUpperCase() + " "));
    }

    @Test
    void malformedAddressesAreRefusedWithTheReason() {
        for (String bad : new String[] {"", "host:7000", "host#" + ID, "host:x#" + ID, "host:0#" + ID, "host:70000#" + ID,
                ":7000#" + ID, "host:7000#abcd"}) {
            assertThrows(IllegalArgumentException.class, () -> NodeAddress.parse(bad), bad);
        }
        assertThrows(IllegalArgumentException.class, () -> NodeAddress.parse(null));
    }
}
