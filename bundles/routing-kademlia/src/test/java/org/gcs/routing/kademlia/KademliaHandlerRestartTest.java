package org.gcs.routing.kademlia;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.TimeUnit;
import org.gcs.api.DeviceId;
import org.gcs.api.UserId;
import org.gcs.api.routing.Endpoint;
import org.gcs.api.routing.FriendsPolicy;
import org.gcs.api.routing.NodeAddress;
import org.gcs.api.routing.Presence;
import org.gcs.api.routing.RoutedMessage;
import org.gcs.api.routing.RoutedMessage.Kind;
import org.gcs.contracts.RouterContract.RecordingSink;
import org.gcs.routing.kademlia.link.TestKeys;
import org.gcs.routing.kademlia.route.KademliaNode;
import org.junit.jupiter.api.Test;

/**
 * A handler that restarts has lost the presences it kept; the nodes whose devices it handles put them there again as
 * soon as it links to them, not at their next republish, so a caller it must vouch for is not refused meanwhile.
 */
class KademliaHandlerRestartTest {
    private static KademliaNode.Settings twoReplicas(List<NodeAddress> bootstrap) {
        KademliaNode.Settings s = TestCluster.settings(bootstrap);
        return new KademliaNode.Settings(s.linkHost(), s.linkPort(), s.advertisedLinkHost(), s.bootstrap(), 2, s.kad(),
                s.link(), s.callTimeout(), s.republish(), s.maxPresencesPerNode());
    }

    @Test
    void aCallerIsVouchedForByARestartedHandlerWithoutWaitingForTheRepublish() throws Exception {
        TestCluster.TestIdentity a = new TestCluster.TestIdentity(TestKeys.generate());
        TestCluster.TestIdentity b = new TestCluster.TestIdentity(TestKeys.generate());
        TestCluster.TestIdentity c = new TestCluster.TestIdentity(TestKeys.generate());
        KademliaRouter ra = new KademliaRouter(a, twoReplicas(List.of()));
        NodeAddress na = new NodeAddress(a.id(), "127.0.0.1", 20_300);
        ra.start(na).join();
        NodeAddress seed = new NodeAddress(a.id(), "127.0.0.1", ra.node().linkAddress().getPort());
        KademliaRouter rb = new KademliaRouter(b, twoReplicas(List.of(seed)));
        NodeAddress nb = new NodeAddress(b.id(), "127.0.0.1", 20_301);
        rb.start(nb).join();
        KademliaRouter rc = new KademliaRouter(c, twoReplicas(List.of(seed)));
        NodeAddress nc = new NodeAddress(c.id(), "127.0.0.1", 20_302);
        rc.start(nc).join();
        KademliaRouter restarted = null;
        try {
            awaitContacts(List.of(ra, rb, rc), 2);
            // Alice's handlers are a and c; Bob's first is c: c can check Alice only against what it holds itself
            UserId alice = user(ra, "alice", h -> h.size() == 2 && h.contains(na) && h.contains(nc));
            UserId bob = user(ra, "bob", h -> h.get(0).equals(nc));
            Endpoint laptop = new Endpoint(alice, DeviceId.of("laptop"));
            Endpoint phone = new Endpoint(bob, DeviceId.of("phone"));
            ra.attach(new Presence(laptop, a.id(), FriendsPolicy.OPEN), new RecordingSink()).get(10, TimeUnit.SECONDS);

            rc.stop().join();
            restarted = new KademliaRouter(c, twoReplicas(List.of(seed)));
            restarted.start(nc).join();
            awaitContacts(List.of(restarted), 2);
            RecordingSink bobs = new RecordingSink();
            restarted.attach(new Presence(phone, c.id(), FriendsPolicy.OPEN), bobs).get(10, TimeUnit.SECONDS);

            RoutedMessage request = new RoutedMessage(a.id(), Kind.CONNECT_REQUEST, laptop, phone, null, new byte[] {1});
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(3); // the republish interval is 30 s
            boolean delivered = false;
            while (!delivered && System.nanoTime() < deadline) {
                try {
                    ra.deliver(request).get(10, TimeUnit.SECONDS);
                    delivered = true;
                } catch (Exception refusedForNow) {
                    Thread.sleep(100);
                }
            }
            assertTrue(delivered, "Alice's request was delivered within 3 s of her handler's restart");
            assertEquals(List.of(request), bobs.delivered);
        } finally {
            if (restarted != null) {
                restarted.stop().join();
            }
            rc.stop().join();
            rb.stop().join();
            ra.stop().join();
        }
    }

    private static UserId user(KademliaRouter router, String prefix, java.util.function.Predicate<List<NodeAddress>> wanted)
            throws Exception {
        for (int i = 0; i < 500; i++) {
            UserId candidate = UserId.of("pk", prefix + i);
            if (wanted.test(router.handlers(candidate).get(10, TimeUnit.SECONDS))) {
                return candidate;
            }
        }
        throw new AssertionError("no user with the wanted handlers among 500");
    }

    private static void awaitContacts(List<KademliaRouter> routers, int contacts) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        for (KademliaRouter router : routers) {
            while (router.node().contacts() < contacts) {
                assertTrue(System.nanoTime() < deadline, "joined in time");
                Thread.sleep(20);
            }
        }
    }
}
