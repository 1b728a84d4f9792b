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

    /** Three nodes, r = 2: a (the seed), b and c, with made-up daemon ports from {@code port}. */
    private static final class ThreeNodes implements AutoCloseable {
        final TestCluster.TestIdentity a = new TestCluster.TestIdentity(TestKeys.generate());
        final TestCluster.TestIdentity b = new TestCluster.TestIdentity(TestKeys.generate());
        final TestCluster.TestIdentity c = new TestCluster.TestIdentity(TestKeys.generate());
        final NodeAddress na;
        final NodeAddress nb;
        final NodeAddress nc;
        final KademliaRouter ra;
        final NodeAddress seed;
        final KademliaRouter rb;
        KademliaRouter rc;

        ThreeNodes(int port) throws InterruptedException {
            na = new NodeAddress(a.id(), "127.0.0.1", port);
            nb = new NodeAddress(b.id(), "127.0.0.1", port + 1);
            nc = new NodeAddress(c.id(), "127.0.0.1", port + 2);
            ra = new KademliaRouter(a, twoReplicas(List.of()));
            ra.start(na).join();
            seed = new NodeAddress(a.id(), "127.0.0.1", ra.node().linkAddress().getPort());
            rb = new KademliaRouter(b, twoReplicas(List.of(seed)));
            rb.start(nb).join();
            rc = new KademliaRouter(c, twoReplicas(List.of(seed)));
            rc.start(nc).join();
            awaitContacts(List.of(ra, rb, rc), 2);
        }

        /** Stops c and starts it again (same key, a new link port); returns once it has rejoined. */
        void restartC() throws InterruptedException {
            rc.stop().join();
            rc = new KademliaRouter(c, twoReplicas(List.of(seed)));
            rc.start(nc).join();
            awaitContacts(List.of(rc), 2);
        }

        @Override
        public void close() {
            rc.stop().join();
            rb.stop().join();
            ra.stop().join();
        }
    }

    @Test
    void aCallerIsVouchedForByARestartedHandlerWithoutWaitingForTheRepublish() throws Exception {
        try (ThreeNodes n = new ThreeNodes(20_300)) {
            // Alice's handlers are a and c; Bob's first is c: c can check Alice only against what it holds itself
            UserId alice = user(n.ra, "alice", h -> h.size() == 2 && h.contains(n.na) && h.contains(n.nc));
            UserId bob = user(n.ra, "bob", h -> h.get(0).equals(n.nc));
            Endpoint laptop = new Endpoint(alice, DeviceId.of("laptop"));
            Endpoint phone = new Endpoint(bob, DeviceId.of("phone"));
            n.ra.attach(new Presence(laptop, n.a.id(), FriendsPolicy.OPEN), new RecordingSink()).get(10, TimeUnit.SECONDS);

            n.restartC();
            RecordingSink bobs = new RecordingSink();
            n.rc.attach(new Presence(phone, n.c.id(), FriendsPolicy.OPEN), bobs).get(10, TimeUnit.SECONDS);

            RoutedMessage request = new RoutedMessage(n.a.id(), Kind.CONNECT_REQUEST, laptop, phone, null, new byte[] {1});
            // the republish interval is 30 s
            assertTrue(deliveredWithin(n.ra, request, 3), "Alice's request was delivered within 3 s of her handler's restart");
            assertEquals(List.of(request), bobs.delivered);
        }
    }

    /**
     * The case the benchmark hit: while handler c was down, a looked Alice's handlers up again and cached a set without
     * c. When c comes back, a must not go on putting Alice's presence at that cached set: a node that links anew drops
     * the cached handler sets it may belong to, so c holds Alice's presence again at once and can vouch for her.
     */
    @Test
    void aRestartedHandlerGetsThePresencesEvenWhenTheCallersNodeCachedHandlersWithoutIt() throws Exception {
        try (ThreeNodes n = new ThreeNodes(20_310)) {
            UserId alice = user(n.ra, "alice", h -> h.size() == 2 && h.contains(n.na) && h.contains(n.nc));
            UserId bob = user(n.ra, "bob", h -> h.get(0).equals(n.nc));
            Endpoint laptop = new Endpoint(alice, DeviceId.of("laptop"));
            Endpoint phone = new Endpoint(bob, DeviceId.of("phone"));
            n.ra.attach(new Presence(laptop, n.a.id(), FriendsPolicy.OPEN), new RecordingSink()).get(10, TimeUnit.SECONDS);

            n.rc.stop().join();
            // a finds c gone (the put of another device fails) and looks Alice's handlers up again: a and b now
            n.ra.attach(new Presence(new Endpoint(alice, DeviceId.of("tablet")), n.a.id(), FriendsPolicy.OPEN),
                    new RecordingSink()).get(10, TimeUnit.SECONDS);
            List<NodeAddress> meanwhile = n.ra.handlers(alice).get(10, TimeUnit.SECONDS);
            assertTrue(!meanwhile.contains(n.nc), "with c down, Alice's handlers are " + meanwhile);

            n.restartC();
            RecordingSink bobs = new RecordingSink();
            n.rc.attach(new Presence(phone, n.c.id(), FriendsPolicy.OPEN), bobs).get(10, TimeUnit.SECONDS);
            n.rb.stop().join(); // now c has no other handler of Alice to ask: it must hold her presence itself

            RoutedMessage request = new RoutedMessage(n.a.id(), Kind.CONNECT_REQUEST, laptop, phone, null, new byte[] {1});
            assertTrue(deliveredWithin(n.ra, request, 5), "Alice's request was delivered within 5 s of her handler's restart");
            assertEquals(List.of(request), bobs.delivered);
        }
    }

    /** Routes {@code request} from {@code router} again and again (while refused) for up to {@code seconds}. */
    private static boolean deliveredWithin(KademliaRouter router, RoutedMessage request, int seconds) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (System.nanoTime() < deadline) {
            try {
                router.deliver(request).get(10, TimeUnit.SECONDS);
                return true;
            } catch (java.util.concurrent.ExecutionException refusedForNow) {
                Thread.sleep(100);
            }
        }
        return false;
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
