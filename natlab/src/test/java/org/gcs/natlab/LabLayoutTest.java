package org.gcs.natlab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The Java view of the lab agrees with the scripts, the cells and their expectations; counters parse. */
class LabLayoutTest {
    @Test
    void devicesMatchTheScripts() throws Exception {
        String common = Files.readString(Path.of("scripts/lab-common.sh"));
        Matcher m = Pattern.compile("LAB_DEVICES=\"([^\"]*)\"").matcher(common);
        assertEquals(true, m.find(), "LAB_DEVICES in lab-common.sh");
        List<String> script = Arrays.asList(m.group(1).trim().split("\\s+"));
        List<String> java = Arrays.stream(LabDevice.values())
                .map(d -> d.id() + ":" + d.kind().label() + ":" + d.publicHost() + ":" + d.lan()).toList();
        assertEquals(java, script);
        assertEquals(true, common.contains("LAB_PREFIX=${LAB_PREFIX:-" + NatLab.PREFIX + "}"), "prefix " + NatLab.PREFIX);
        assertEquals(true, common.contains("LAB_NET=" + NatLab.NET + " "), "net " + NatLab.NET);
    }

    @Test
    void tenCellsEachWithAnExpectation() {
        List<Cell> all = Cell.all();
        assertEquals(10, all.size());
        assertEquals(all.stream().map(Cell::id).collect(Collectors.toSet()), NatMatrixIT.EXPECTED.keySet());
        for (Cell c : all) {
            assertEquals(c.caller(), c.callerDevice().kind());
            assertEquals(c.callee(), c.calleeDevice().kind());
            assertEquals(false, c.callerDevice() == c.calleeDevice(), "two devices in " + c);
        }
    }

    @Test
    void cellsSelectByNameInEitherOrderWithShortLabels() {
        assertEquals(List.of(new Cell(NatKind.CONE, NatKind.CONE), new Cell(NatKind.SYMMETRIC, NatKind.FIREWALL)),
                Cell.select("cone-cone, fw-sym"));
        assertEquals(Cell.all(), Cell.select(""));
        assertEquals(Cell.all(), Cell.select(null));
        assertThrows(IllegalArgumentException.class, () -> Cell.select("cone"));
        assertThrows(IllegalArgumentException.class, () -> Cell.select("cone-fullcone"));
    }

    @Test
    void countersParseFromIpJson() {
        String json = "[{\"ifindex\":2,\"ifname\":\"eth0\",\"stats64\":{\"rx\":{\"bytes\":1234,\"packets\":5},"
                + "\"tx\":{\"bytes\":987654321012,\"packets\":7}}}]";
        InterfaceCounters c = InterfaceCounters.parse("gcsl-node", "eth0", json);
        assertEquals(1234, c.rxBytes());
        assertEquals(987654321012L, c.txBytes());
        InterfaceCounters later = new InterfaceCounters("gcsl-node", "eth0", 2234, 987654321112L);
        assertEquals(1100, later.since(c).totalBytes());
    }
}
