package org.gcs.routing.kademlia.route;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import org.gcs.api.NodeId;
import org.gcs.api.ProtocolException;
import org.gcs.api.wire.WireVersions;
import org.gcs.routing.kademlia.route.wire.RouteWire;
import org.junit.jupiter.api.Test;

/** Long friends lists between nodes, without sockets: cut into puts that fit, put back together at the handler. */
class PresencePartsTest {
    private static final int BUDGET = 256 * 1024;
    private static final NodeId NODE = NodeId.of(new byte[NodeId.LENGTH]);
    private static final RouteWire.PresencePut HEADER = RouteWire.PresencePut.newBuilder().setTtlSeconds(100)
            .setNode(RouteWire.NodeInfo.newBuilder().setDaemonHost("127.0.0.1").setDaemonPort(7000)).build();

    private static RouteWire.Presence presence(String device, int friends) {
        RouteWire.Presence.Builder b = RouteWire.Presence.newBuilder()
                .setDevice(RouteWire.Device.newBuilder().setUser("pk:bob").setDevice(device)).setUploaded(true);
        for (int i = 0; i < friends; i++) {
            b.addFriends("pk:" + "f".repeat(40) + i);
        }
        return b.build();
    }

    @Test
    void aHundredThousandFriendsGoInPutsThatFitAndComeBackWholeInAnyOrder() {
        RouteWire.Presence big = presence("phone", WireVersions.MAX_FRIENDS);
        List<RouteWire.PresencePut> puts = PresenceParts.split(HEADER, List.of(big), BUDGET);
        System.out.printf("[presence parts] %d friends (%d bytes) in %d puts%n", big.getFriendsCount(),
                big.getSerializedSize(), puts.size());
        assertTrue(puts.size() > 10, "puts: " + puts.size());
        for (RouteWire.PresencePut put : puts) {
            assertTrue(put.getSerializedSize() <= BUDGET + 64, "a put of " + put.getSerializedSize() + " bytes");
            assertEquals(HEADER.getNode(), put.getNode());
            assertEquals(100, put.getTtlSeconds());
        }
        List<RouteWire.PresencePut> shuffled = new ArrayList<>(puts);
        Collections.shuffle(shuffled, new Random(1));
        PresenceParts parts = new PresenceParts();
        Optional<RouteWire.Presence> whole = Optional.empty();
        for (int i = 0; i < shuffled.size(); i++) {
            RouteWire.Presence part = shuffled.get(i).getPresences(0);
            whole = parts.add(NODE, part, 0);
            assertEquals(i == shuffled.size() - 1, whole.isPresent(), "whole only with the last part");
            if (i == 2) {
                assertTrue(parts.add(NODE, part, 0).isEmpty(), "a repeated part is taken once");
            }
        }
        assertEquals(big, whole.orElseThrow());
        assertEquals(0, parts.openLists());
    }

    @Test
    void smallPresencesShareAPutAndComeBackAsTheyAre() {
        List<RouteWire.Presence> small = List.of(presence("phone", 3), presence("laptop", 5), presence("tv", 0));
        List<RouteWire.PresencePut> puts = PresenceParts.split(HEADER, small, BUDGET);
        assertEquals(1, puts.size());
        assertEquals(small, puts.get(0).getPresencesList());
        PresenceParts parts = new PresenceParts();
        for (RouteWire.Presence p : small) {
            assertEquals(Optional.of(p), parts.add(NODE, p, 0));
        }
        assertEquals(1, PresenceParts.split(HEADER, List.of(), BUDGET).size(), "no presences: one empty put");
    }

    @Test
    void partsThatContradictOrPassABoundAreProtocolErrorsAndHoldNothing() {
        RouteWire.Presence part = presence("phone", 2).toBuilder().setParts(3).setPart(0)
                .setListId(ByteString.copyFrom(new byte[16])).build();
        PresenceParts parts = new PresenceParts();
        assertTrue(parts.add(NODE, part, 0).isEmpty());
        assertThrows(ProtocolException.class, () -> parts.add(NODE, part.toBuilder().setPart(1).setUploaded(false).build(), 0),
                "another policy in the same list");
        assertEquals(0, parts.openLists(), "the contradicted list is dropped");
        assertThrows(ProtocolException.class, () -> parts.add(NODE, part.toBuilder().setPart(3).build(), 0), "part >= parts");
        assertThrows(ProtocolException.class,
                () -> parts.add(NODE, part.toBuilder().setParts(PresenceParts.MAX_PARTS + 1).build(), 0));
        assertThrows(ProtocolException.class, () -> parts.add(NODE, part.toBuilder().setListId(ByteString.EMPTY).build(), 0));
        for (int i = 0; i < PresenceParts.MAX_OPEN_PER_NODE; i++) {
            parts.add(NODE, part.toBuilder().setListId(ByteString.copyFrom(new byte[] {(byte) i, 1, 2, 3, 4, 5, 6, 7,
                    8, 9, 10, 11, 12, 13, 14, 15})).build(), 0);
        }
        assertThrows(ProtocolException.class, () -> parts.add(NODE, part.toBuilder()
                .setListId(ByteString.copyFrom(new byte[] {-1, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15})).build(), 0),
                "a node's incomplete lists are bounded");
        NodeId other = NodeId.of(new byte[] {1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
                0, 0, 0, 0, 0, 0, 0});
        assertTrue(parts.add(other, part, 0).isEmpty(), "another node is not affected");
        assertTrue(parts.add(other, part.toBuilder().setListId(ByteString.copyFrom(new byte[] {9, 1, 2, 3, 4, 5, 6, 7,
                8, 9, 10, 11, 12, 13, 14, 15})).build(), PresenceParts.OPEN_MILLIS + 1).isEmpty());
        assertEquals(1, parts.openLists(), "incomplete lists are forgotten after their time");
    }

    @Test
    void moreFriendsThanANodeTakesIsRefused() {
        RouteWire.Presence first = presence("phone", WireVersions.MAX_FRIENDS).toBuilder().setParts(2).setPart(0)
                .setListId(ByteString.copyFrom(new byte[16])).build();
        PresenceParts parts = new PresenceParts();
        assertTrue(parts.add(NODE, first, 0).isEmpty());
        assertThrows(ProtocolException.class, () -> parts.add(NODE, presence("phone", 1).toBuilder().setParts(2)
                .setPart(1).setListId(ByteString.copyFrom(new byte[16])).build(), 0));
        assertEquals(0, parts.openLists());
    }
}
