package org.gcs.node.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import org.gcs.api.DeviceId;
import org.gcs.api.UserId;
import org.gcs.api.routing.Endpoint;
import org.junit.jupiter.api.Test;

class ConnectionTableTest {
    private static final Endpoint ALICE = new Endpoint(UserId.of("pk", "alice"), DeviceId.of("laptop"));
    private static final Endpoint BOB = new Endpoint(UserId.of("pk", "bob"), DeviceId.of("phone"));
    private static final Endpoint CAROL = new Endpoint(UserId.of("pk", "carol"), DeviceId.of("desk"));
    private static final ByteString ID = ByteString.copyFromUtf8("0123456789abcdef");

    private final AtomicLong now = new AtomicLong();
    private final ConnectionTable table = new ConnectionTable(Duration.ofSeconds(120), now::get);

    @Test
    void recordsAPairAndFindsThePeerOfEitherEnd() {
        assertTrue(table.record(ID, new ConnectionTable.Connection(ALICE, BOB)));

        ConnectionTable.Connection connection = table.find(ID).orElseThrow();
        assertEquals(Optional.of(BOB), connection.peerOf(ALICE));
        assertEquals(Optional.of(ALICE), connection.peerOf(BOB));
        assertEquals(Optional.empty(), connection.peerOf(CAROL));
        assertTrue(connection.joins(BOB, ALICE));
        assertFalse(connection.joins(ALICE, CAROL));
    }

    @Test
    void theSamePairMayRecordTwiceButAnotherPairMayNotTakeTheId() {
        assertTrue(table.record(ID, new ConnectionTable.Connection(ALICE, BOB)));
        assertTrue(table.record(ID, new ConnectionTable.Connection(ALICE, BOB)));
        assertFalse(table.record(ID, new ConnectionTable.Connection(CAROL, BOB)));
        assertEquals(ALICE, table.find(ID).orElseThrow().caller());
    }

    @Test
    void entriesExpireAfterTheirLastUse() {
        table.record(ID, new ConnectionTable.Connection(ALICE, BOB));
        now.addAndGet(Duration.ofSeconds(100).toNanos());
        assertTrue(table.find(ID).isPresent(), "use refreshes the entry");
        now.addAndGet(Duration.ofSeconds(100).toNanos());
        assertEquals(0, table.removeExpired());
        now.addAndGet(Duration.ofSeconds(21).toNanos());

        assertTrue(table.find(ID).isEmpty());
        assertEquals(1, table.removeExpired());
        assertEquals(0, table.size());
        assertTrue(table.record(ID, new ConnectionTable.Connection(CAROL, BOB)), "an expired id is free again");
    }

    @Test
    void theNodeOfEachEndIsNotedOnceAndNeverReplaced() {
        org.gcs.api.NodeId nodeA = org.gcs.api.NodeId.fromHex("0a".repeat(32));
        org.gcs.api.NodeId nodeB = org.gcs.api.NodeId.fromHex("0b".repeat(32));
        table.record(ID, new ConnectionTable.Connection(ALICE, BOB));
        assertEquals(Optional.empty(), table.nodeOf(ID, ALICE));

        table.noteNode(ID, ALICE, nodeA);
        table.noteNode(ID, BOB, nodeB);
        table.noteNode(ID, ALICE, nodeB);
        table.noteNode(ID, CAROL, nodeB);

        assertEquals(Optional.of(nodeA), table.nodeOf(ID, ALICE), "a later claim does not move an end");
        assertEquals(Optional.of(nodeB), table.nodeOf(ID, BOB));
        assertEquals(Optional.empty(), table.nodeOf(ID, CAROL));
        assertEquals(Optional.empty(), table.nodeOf(ByteString.copyFromUtf8("fedcba9876543210"), ALICE));
    }
}
