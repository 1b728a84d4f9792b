package org.gcs.api.routing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.gcs.api.DeviceId;
import org.gcs.api.DeviceOfflineException;
import org.gcs.api.NodeId;
import org.gcs.api.RefusedException;
import org.gcs.api.UnknownUserException;
import org.gcs.api.UserId;
import org.junit.jupiter.api.Test;

class HandlerRulesTest {
    private static final UserId ALICE = UserId.of("pk", "alice");
    private static final UserId BOB = UserId.of("pk", "bob");
    private static final UserId MALLORY = UserId.of("pk", "mallory");
    private static final NodeId NODE_A = NodeId.of(new byte[32]);
    private static final NodeId NODE_B = NodeId.fromHex("01".repeat(32));

    private static Presence bob(String device, NodeId node, FriendsPolicy policy) {
        return new Presence(new Endpoint(BOB, DeviceId.of(device)), node, policy);
    }

    @Test
    void eachDeviceShowsItselfByItsOwnPolicyWhereverItIsAttached() {
        List<Presence> online = List.of(bob("phone", NODE_A, FriendsPolicy.of(true, List.of(ALICE.toString()))),
                bob("laptop", NODE_B, FriendsPolicy.of(true, List.of())));

        assertEquals(List.of(DeviceId.of("phone")), HandlerRules.visibleDevices(BOB, online, ALICE));
        assertEquals(List.of(DeviceId.of("laptop"), DeviceId.of("phone")), HandlerRules.visibleDevices(BOB, online, BOB));
        UnknownUserException toStranger = assertThrows(UnknownUserException.class,
                () -> HandlerRules.visibleDevices(BOB, online, MALLORY));
        UnknownUserException offline = assertThrows(UnknownUserException.class,
                () -> HandlerRules.visibleDevices(BOB, List.of(), ALICE));
        assertEquals(offline.getMessage(), toStranger.getMessage(), "a stranger cannot tell refused from offline");
    }

    @Test
    void aConnectGoesToTheNamedDeviceOnlyIfItsPolicyAdmitsTheCaller() {
        Presence phone = bob("phone", NODE_A, FriendsPolicy.of(true, List.of(ALICE.toString())));
        Presence laptop = bob("laptop", NODE_B, FriendsPolicy.of(true, List.of()));
        List<Presence> online = List.of(phone, laptop);
        Endpoint alice = new Endpoint(ALICE, DeviceId.of("desk"));

        assertEquals(phone, HandlerRules.admitConnect(online, alice, phone.device()));
        assertThrows(RefusedException.class, () -> HandlerRules.admitConnect(online, alice, laptop.device()));
        assertThrows(DeviceOfflineException.class,
                () -> HandlerRules.admitConnect(online, alice, new Endpoint(BOB, DeviceId.of("tablet"))));
    }

    @Test
    void aStrangerGetsTheSameAnswerForAnOnlineDeviceAnOfflineDeviceAndAUserWithNoneOnline() {
        List<Presence> online = List.of(bob("phone", NODE_A, FriendsPolicy.of(true, List.of(ALICE.toString()))));
        Endpoint mallory = new Endpoint(MALLORY, DeviceId.of("x"));

        UnknownUserException onlineDevice = assertThrows(UnknownUserException.class,
                () -> HandlerRules.admitConnect(online, mallory, new Endpoint(BOB, DeviceId.of("phone"))));
        UnknownUserException offlineDevice = assertThrows(UnknownUserException.class,
                () -> HandlerRules.admitConnect(online, mallory, new Endpoint(BOB, DeviceId.of("tablet"))));
        UnknownUserException noneOnline = assertThrows(UnknownUserException.class,
                () -> HandlerRules.admitConnect(List.of(), mallory, new Endpoint(BOB, DeviceId.of("tablet"))));
        assertEquals(noneOnline.getMessage(), onlineDevice.getMessage());
        assertEquals(noneOnline.getMessage(), offlineDevice.getMessage());
    }
}
