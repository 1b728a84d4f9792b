package org.gcs.routing.kademlia.link;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.gcs.api.NodeId;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Two or three endpoints on 127.0.0.1 calling each other: round trips, multiplexing, messages, link reuse. */
@Timeout(value = 20, unit = TimeUnit.SECONDS)
class LinkEndpointTest {
    private final TestEndpoints endpoints = new TestEndpoints();
    private final NodeKeys alice = TestKeys.generate();
    private final NodeKeys bob = TestKeys.generate();

    @AfterEach
    void closeEndpoints() {
        endpoints.close();
    }

    @Test
    void aCallReturnsTheHandlersBytesAndTheHandlerKnowsTheCaller() throws Exception {
        AtomicReference<NodeId> caller = new AtomicReference<>();
        AtomicReference<InetSocketAddress> callerAddress = new AtomicReference<>();
        LinkEndpoint a = endpoints.start(alice, LinkConfig.defaults(), TestEndpoints.ECHO);
        LinkEndpoint b = endpoints.start(bob, LinkConfig.defaults(), (peer, address, method, body) -> {
            caller.set(peer);
            callerAddress.set(address);
            return TestEndpoints.ECHO.handle(peer, address, method, body);
        });

        Link link = a.link(bob.id(), b.listenAddress()).get(5, TimeUnit.SECONDS);
        byte[] answer = link.call(42, "hello bob".getBytes(UTF_8)).get(5, TimeUnit.SECONDS);

        assertArrayEquals(("*hello bob").getBytes(UTF_8), answer);
        assertEquals(bob.id(), link.peer());
        assertEquals(b.listenAddress(), link.peerListenAddress());
        assertTrue(link.isOutbound());
        assertEquals(alice.id(), caller.get());
        assertEquals(a.listenAddress(), callerAddress.get());
    }

    @Test
    void aThousandConcurrentCallsShareOneLinkAndEachGetsItsOwnAnswer() throws Exception {
        int calls = 1000;
        List<CompletableFuture<byte[]>> held = Collections.synchronizedList(new ArrayList<>());
        List<byte[]> bodies = Collections.synchronizedList(new ArrayList<>());
        ExecutorService answerer = Executors.newSingleThreadExecutor();
        try {
            LinkConfig config = LinkConfig.defaults().withMaxRequestsInService(calls);
            LinkEndpoint a = endpoints.start(alice, config, TestEndpoints.ECHO);
            endpoints.start(bob, config, (peer, address, method, body) -> {
                // Hold every request until all have arrived, then answer them in reverse order.
                CompletableFuture<byte[]> answer = new CompletableFuture<>();
                held.add(answer);
                bodies.add(body);
                if (held.size() == calls) {
                    answerer.execute(() -> {
                        for (int i = calls - 1; i >= 0; i--) {
                            byte[] request = bodies.get(i);
                            held.get(i).complete(("answer to " + new String(request, UTF_8)).getBytes(UTF_8));
                        }
                    });
                }
                return answer;
            });
            Link link = a.link(bob.id(), endpointOf(bob).listenAddress()).get(5, TimeUnit.SECONDS);

            List<CompletableFuture<byte[]>> answers = new ArrayList<>();
            for (int i = 0; i < calls; i++) {
                answers.add(link.call(1, ("call " + i).getBytes(UTF_8)));
            }
            CompletableFuture.allOf(answers.toArray(CompletableFuture[]::new)).get(15, TimeUnit.SECONDS);

            for (int i = 0; i < calls; i++) {
                assertEquals("answer to call " + i, new String(answers.get(i).get(), UTF_8));
            }
            assertEquals(1, endpointOf(bob).inboundConnections());
            assertEquals(List.of(link), a.links());
            assertEquals(0, a.inboundConnections());
        } finally {
            answerer.shutdownNow();
        }
    }

    @Test
    void oneWayMessagesArriveInOrderWithTheSendersId() throws Exception {
        BlockingQueue<String> received = new LinkedBlockingQueue<>();
        LinkEndpoint a = endpoints.start(alice, LinkConfig.defaults(), TestEndpoints.ECHO);
        LinkEndpoint b = endpoints.start(bob, LinkConfig.defaults(), TestEndpoints.ECHO,
                (peer, address, method, body) -> received.add(peer.equals(alice.id()) + ":" + method + ":"
                        + new String(body, UTF_8)), 0);

        Link link = a.link(bob.id(), b.listenAddress()).get(5, TimeUnit.SECONDS);
        for (int i = 0; i < 100; i++) {
            link.send(7, ("message " + i).getBytes(UTF_8));
        }

        for (int i = 0; i < 100; i++) {
            assertEquals("true:7:message " + i, received.poll(5, TimeUnit.SECONDS));
        }
    }

    @Test
    void theLinkIsReusedInBothDirections() throws Exception {
        LinkEndpoint a = endpoints.start(alice, LinkConfig.defaults(), TestEndpoints.ECHO);
        LinkEndpoint b = endpoints.start(bob, LinkConfig.defaults(), (peer, address, method, body) ->
                CompletableFuture.completedFuture("from bob".getBytes(UTF_8)));

        Link aToB = a.link(bob.id(), b.listenAddress()).get(5, TimeUnit.SECONDS);
        assertSame(aToB, a.link(bob.id(), b.listenAddress()).get(5, TimeUnit.SECONDS));
        Link bToA = b.link(alice.id(), a.listenAddress()).get(5, TimeUnit.SECONDS);

        assertFalse(bToA.isOutbound(), "bob uses the link alice opened");
        assertEquals(alice.id(), bToA.peer());
        assertEquals(a.listenAddress(), bToA.peerListenAddress());
        assertArrayEquals("\u0003back".getBytes(UTF_8), bToA.call(3, "back".getBytes(UTF_8)).get(5, TimeUnit.SECONDS));
        assertArrayEquals("from bob".getBytes(UTF_8), aToB.call(3, new byte[0]).get(5, TimeUnit.SECONDS));
        assertEquals(0, a.inboundConnections());
        assertEquals(1, b.inboundConnections());
        assertEquals(b.existingLink(alice.id()).orElseThrow(), bToA);
    }

    @Test
    void concurrentRequestsForALinkShareOneDial() throws Exception {
        LinkEndpoint a = endpoints.start(alice, LinkConfig.defaults(), TestEndpoints.ECHO);
        LinkEndpoint b = endpoints.start(bob, LinkConfig.defaults(), TestEndpoints.ECHO);

        List<CompletableFuture<Link>> dials = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            dials.add(a.link(bob.id(), b.listenAddress()));
        }

        Link first = dials.get(0).get(5, TimeUnit.SECONDS);
        for (CompletableFuture<Link> dial : dials) {
            assertSame(first, dial.get(5, TimeUnit.SECONDS));
        }
        assertEquals(1, b.inboundConnections());
    }

    @Test
    void nodesDialingEachOtherAtOnceSettleOnOneConnection() throws Exception {
        // the losing connection closes after its grace period, the handshake timeout
        LinkConfig config = LinkConfig.defaults().withHandshakeTimeout(Duration.ofMillis(500));
        for (int round = 0; round < 3; round++) {
            NodeKeys x = TestKeys.generate();
            NodeKeys y = TestKeys.generate();
            LinkEndpoint a = endpoints.start(x, config, TestEndpoints.ECHO);
            LinkEndpoint b = endpoints.start(y, config, TestEndpoints.ECHO);

            CompletableFuture<Link> fromA = a.link(y.id(), b.listenAddress());
            CompletableFuture<Link> fromB = b.link(x.id(), a.listenAddress());
            Link aLink = fromA.get(5, TimeUnit.SECONDS);
            Link bLink = fromB.get(5, TimeUnit.SECONDS);
            assertArrayEquals(new byte[] {1, 9}, aLink.call(1, new byte[] {9}).get(5, TimeUnit.SECONDS));
            assertArrayEquals(new byte[] {2, 8}, bLink.call(2, new byte[] {8}).get(5, TimeUnit.SECONDS));

            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (a.inboundConnections() + b.inboundConnections() > 1 && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertEquals(1, a.inboundConnections() + b.inboundConnections(), "one of the two connections was closed");
            Link aUses = a.link(y.id(), b.listenAddress()).get(5, TimeUnit.SECONDS);
            Link bUses = b.link(x.id(), a.listenAddress()).get(5, TimeUnit.SECONDS);
            assertSame(aLink, aUses, "the link handed out stayed the one in use");
            assertSame(bLink, bUses, "the link handed out stayed the one in use");
            assertTrue(aLink.isOpen() && bLink.isOpen());
            assertEquals(aUses.isOutbound(), !bUses.isOutbound(), "both use the same connection");
            NodeId lower = x.id().compareTo(y.id()) < 0 ? x.id() : y.id();
            assertEquals(lower.equals(x.id()), aUses.isOutbound(), "the link the lower id dialed won");
            assertArrayEquals(new byte[] {3}, aUses.call(3, new byte[0]).get(5, TimeUnit.SECONDS));
            assertArrayEquals(new byte[] {4}, bUses.call(4, new byte[0]).get(5, TimeUnit.SECONDS));
        }
    }

    @Test
    void byteCountersSeeThePayloadOnBothEnds() throws Exception {
        LinkEndpoint a = endpoints.start(alice, LinkConfig.defaults(), TestEndpoints.ECHO);
        LinkEndpoint b = endpoints.start(bob, LinkConfig.defaults(), (peer, address, method, body) ->
                CompletableFuture.completedFuture(new byte[0]));
        Link link = a.link(bob.id(), b.listenAddress()).get(5, TimeUnit.SECONDS);
        long aWrittenBefore = a.bytesWritten();
        long bReadBefore = b.bytesRead();

        link.call(1, new byte[200_000]).get(5, TimeUnit.SECONDS);

        assertTrue(a.bytesWritten() - aWrittenBefore >= 200_000, "alice wrote the payload");
        assertTrue(b.bytesRead() - bReadBefore >= 200_000, "bob read the payload");
        assertTrue(a.bytesRead() < 200_000, "alice read only the small answer and the handshake");
    }

    @Test
    void keepalivePingsHoldAnUnusedLinkOpen() throws Exception {
        LinkConfig config = LinkConfig.defaults().withKeepalive(Duration.ofMillis(100), Duration.ofMillis(400));
        LinkEndpoint a = endpoints.start(alice, config, TestEndpoints.ECHO);
        LinkEndpoint b = endpoints.start(bob, config, TestEndpoints.ECHO);
        Link link = a.link(bob.id(), b.listenAddress()).get(5, TimeUnit.SECONDS);

        Thread.sleep(1200);

        assertTrue(link.isOpen(), () -> "closed: " + link.closeReason());
        assertArrayEquals(new byte[] {5}, link.call(5, new byte[0]).get(5, TimeUnit.SECONDS));
    }

    private LinkEndpoint endpointOf(NodeKeys keys) {
        return endpoints.find(keys.id());
    }
}
