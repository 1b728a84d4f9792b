package org.gcs.routing.kademlia.route;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.util.Arrays;
import java.util.List;
import org.gcs.api.DeviceId;
import org.gcs.api.NodeId;
import org.gcs.api.RefusedException;
import org.gcs.api.UserId;
import org.gcs.api.routing.Endpoint;
import org.gcs.api.routing.FriendsPolicy;
import org.gcs.api.routing.Presence;
import org.junit.jupiter.api.Test;

/** The handler's presence store: replacement across nodes, removal only by the node that put, expiry, per-node cap. */
class HandledPresencesTest {
    private static final NodeId A = node(1);
    private static final NodeId B = node(2);
    private static final InetSocketAddress LINK = new InetSocketAddress("127.0.0.1", 7444);
    private static final Endpoint BOB_PHONE = new Endpoint(UserId.of("pk", "bob"), DeviceId.of("phone"));
    private static final Endpoint BOB_LAPTOP = new Endpoint(UserId.of("pk", "bob"), DeviceId.of("laptop"));

    private static NodeId node(int b) {
        byte[] id = new byte[32];
        Arrays.fill(id, (byte) b);
        return NodeId.of(id);
    }

    private static Presence at(Endpoint device, NodeId node) {
        return new Presence(device, node, FriendsPolicy.OPEN);
    }

    @Test
    void aPutFromAnotherNodeReplacesTheEntryAndSaysWhereItWas() {
        HandledPresences store = new HandledPresences(10);
        assertNull(store.put(at(BOB_PHONE, A), LINK, 1000));

        HandledPresences.Entry previous = store.put(at(BOB_PHONE, B), LINK, 1000);

        assertEquals(A, previous.node());
        assertTrue(store.isAttachedAt(BOB_PHONE, B));
        assertFalse(store.isAttachedAt(BOB_PHONE, A));
        assertEquals(1, store.size());
    }

    @Test
    void onlyTheNodeThatPutAPresenceRemovesIt() {
        HandledPresences store = new HandledPresences(10);
        store.put(at(BOB_PHONE, A), LINK, 1000);

        assertFalse(store.remove(BOB_PHONE, B));
        assertTrue(store.isAttachedAt(BOB_PHONE, A));
        assertTrue(store.remove(BOB_PHONE, A));
        assertEquals(List.of(), store.presences(BOB_PHONE.user()));
        assertEquals(0, store.size());
    }

    @Test
    void expiredAndDeadNodesPresencesAreForgotten() {
        HandledPresences store = new HandledPresences(10);
        store.put(at(BOB_PHONE, A), LINK, 1000);
        store.put(at(BOB_LAPTOP, B), LINK, 5000);

        assertEquals(1, store.expire(2000));
        assertEquals(List.of(at(BOB_LAPTOP, B)), store.presences(BOB_LAPTOP.user()));
        assertEquals(1, store.removeNode(B));
        assertEquals(0, store.size());
        assertTrue(store.entries().isEmpty());
    }

    @Test
    void oneNodeCannotPutMoreThanItsShareButOthersStillCan() {
        HandledPresences store = new HandledPresences(2);
        store.put(at(new Endpoint(UserId.of("pk", "u1"), DeviceId.of("d")), A), LINK, 1000);
        store.put(at(new Endpoint(UserId.of("pk", "u2"), DeviceId.of("d")), A), LINK, 1000);

        assertThrows(RefusedException.class,
                () -> store.put(at(new Endpoint(UserId.of("pk", "u3"), DeviceId.of("d")), A), LINK, 1000));
        store.put(at(new Endpoint(UserId.of("pk", "u1"), DeviceId.of("d")), A), LINK, 2000); // a refresh is not new
        store.put(at(BOB_PHONE, B), LINK, 1000);

        assertEquals(3, store.size());
        assertTrue(store.presences(UserId.of("pk", "u3")).isEmpty());
    }
}
