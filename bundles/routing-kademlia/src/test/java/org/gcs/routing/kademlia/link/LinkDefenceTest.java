package org.gcs.routing.kademlia.link;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.net.Socket;
import java.security.KeyPair;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.gcs.routing.kademlia.link.wire.LinkWire.LinkFrame;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * What an endpoint refuses: the wrong node when dialing, a node lying about its id, a client that is not a node,
 * garbage, oversize frames, silent connections, too many connections. Each closes one link only; the others go on.
 */
@Timeout(value = 20, unit = TimeUnit.SECONDS)
class LinkDefenceTest {
    private static final int FRAME_LIMIT = 64 * 1024;

    private final TestEndpoints endpoints = new TestEndpoints();
    private final NodeKeys alice = TestKeys.generate();
    private final NodeKeys bob = TestKeys.generate();
    private final AtomicInteger bobsRequests = new AtomicInteger();
    private LinkEndpoint a;
    private LinkEndpoint b;

    @BeforeEach
    void start() throws Exception {
        LinkConfig config = LinkConfig.defaults().withMaxFrameBytes(FRAME_LIMIT).withHandshakeTimeout(Duration.ofMillis(500));
        a = endpoints.start(alice, config, TestEndpoints.ECHO);
        b = endpoints.start(bob, config, (peer, address, method, body) -> {
            bobsRequests.incrementAndGet();
            return TestEndpoints.ECHO.handle(peer, address, method, body);
        });
    }

    @AfterEach
    void closeEndpoints() {
        endpoints.close();
    }

    @Test
    void dialingWithTheWrongExpectedIdFailsClearlyAndReachesNoHandler() {
        NodeKeys someoneElse = TestKeys.generate();

        ExecutionException failure = assertThrows(ExecutionException.class,
                () -> a.link(someoneElse.id(), b.listenAddress()).get(5, TimeUnit.SECONDS));

        PeerIdentityException refused = assertInstanceOf(PeerIdentityException.class, failure.getCause());
        assertTrue(refused.getMessage().contains("expected node " + someoneElse.id()), refused.getMessage());
        assertTrue(refused.getMessage().contains("hashes to " + bob.id()), refused.getMessage());
        assertEquals(0, bobsRequests.get());
        assertTrue(a.links().isEmpty());
        assertTrue(b.links().isEmpty());
    }

    @Test
    void aNodeWhoseHelloClaimsAnotherIdThanItsCertificatesIsRefused() throws Exception {
        NodeKeys liar = TestKeys.generate();
        try (RawTlsClient client = RawTlsClient.connect(liar, b.listenAddress())) {
            LinkFrame bobsHello = client.read();
            assertEquals(bob.id().toString(), org.gcs.api.NodeId.of(bobsHello.getHello().getNodeId().toByteArray())
                    .toString());

            client.hello(alice.id(), 7100);
            client.write(LinkFrames.request(1, 1, new byte[] {1}));
            String reason = client.readUntilClosed();

            assertTrue(reason != null && reason.contains("claims node id " + alice.id())
                    && reason.contains("hashes to " + liar.id()), String.valueOf(reason));
        }
        assertEquals(0, bobsRequests.get());
        assertTrue(b.existingLink(alice.id()).isEmpty());
        assertTrue(b.existingLink(liar.id()).isEmpty());
    }

    @Test
    void aClientWhoseCertificateIsNotSelfSignedIsRefused() throws Exception {
        KeyPair subject = TestKeys.keyPair();
        NodeKeys notSelfSigned = new NodeKeys(subject.getPrivate(), TestKeys.signed(subject, TestKeys.keyPair()));
        try (RawTlsClient client = RawTlsClient.connect(notSelfSigned, b.listenAddress())) {
            client.hello(notSelfSigned.id(), 7100);
            client.readUntilClosed();
        } catch (javax.net.ssl.SSLException refusedDuringHandshake) {
            // also fine: the server's alert came before the client finished
        }
        assertTrue(b.links().isEmpty());
        assertEquals(0, bobsRequests.get());
    }

    @Test
    void garbageClosesThatLinkOnlyAndTheOthersKeepWorking() throws Exception {
        Link link = a.link(bob.id(), b.listenAddress()).get(5, TimeUnit.SECONDS);
        NodeKeys mallory = TestKeys.generate();
        try (RawTlsClient client = RawTlsClient.connect(mallory, b.listenAddress())) {
            client.read();
            client.hello(mallory.id(), 7100);
            client.write(LinkFrames.request(1, 9, new byte[] {1}));
            assertEquals(1, client.read().getResponse().getId(), "an honest call first");

            client.writeRaw(RawTlsClient.lengthOf(5));
            client.writeRaw(new byte[] {(byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF});
            String reason = client.readUntilClosed();

            assertTrue(reason != null && reason.startsWith("protocol violation"), String.valueOf(reason));
        }
        assertArrayEquals(new byte[] {2, 7}, link.call(2, new byte[] {7}).get(5, TimeUnit.SECONDS));
        assertTrue(link.isOpen());
        awaitTrue(() -> b.existingLink(mallory.id()).isEmpty() && b.links().size() == 1, "mallory's link is gone");
    }

    @Test
    void anOversizeFrameClosesThatLinkOnlyBeforeItsBodyIsSent() throws Exception {
        Link link = a.link(bob.id(), b.listenAddress()).get(5, TimeUnit.SECONDS);
        NodeKeys mallory = TestKeys.generate();
        try (RawTlsClient client = RawTlsClient.connect(mallory, b.listenAddress())) {
            client.read();
            client.hello(mallory.id(), 7100);
            client.writeRaw(RawTlsClient.lengthOf(FRAME_LIMIT + 1));
            String reason = client.readUntilClosed();

            assertTrue(reason != null && reason.contains("above the limit of " + FRAME_LIMIT), String.valueOf(reason));
        }
        assertArrayEquals(new byte[] {2, 7}, link.call(2, new byte[] {7}).get(5, TimeUnit.SECONDS));
    }

    @Test
    void aFrameOtherThanHelloFirstIsAProtocolViolation() throws Exception {
        NodeKeys mallory = TestKeys.generate();
        try (RawTlsClient client = RawTlsClient.connect(mallory, b.listenAddress())) {
            client.write(LinkFrames.request(1, 1, new byte[] {1}));
            String reason = client.readUntilClosed();

            assertTrue(reason != null && reason.contains("first frame must be LinkHello"), String.valueOf(reason));
        }
        assertEquals(0, bobsRequests.get());
    }

    @Test
    void aConnectionThatNeverCompletesItsHandshakeIsClosed() throws Exception {
        try (Socket silent = new Socket()) {
            silent.connect(b.listenAddress(), 2000);
            silent.setSoTimeout(5000);
            long start = System.nanoTime();
            InputStream in = silent.getInputStream();
            int read = 0;
            for (int i = 0; i < 1000 && read >= 0; i++) {
                read = in.read(); // TLS alerts may come first; then the end of the stream
            }
            assertEquals(-1, read);
            assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(4));
        }
        awaitTrue(() -> b.inboundConnections() == 0, "the silent connection is gone");
    }

    @Test
    void connectionsAboveTheInboundLimitAreRefused() throws Exception {
        LinkEndpoint small = endpoints.start(TestKeys.generate(), LinkConfig.defaults().withMaxInboundLinks(1),
                TestEndpoints.ECHO);
        Link first = a.link(small.id(), small.listenAddress()).get(5, TimeUnit.SECONDS);

        ExecutionException refused = assertThrows(ExecutionException.class,
                () -> b.link(small.id(), small.listenAddress()).get(5, TimeUnit.SECONDS));

        assertInstanceOf(LinkClosedException.class, refused.getCause());
        assertArrayEquals(new byte[] {1}, first.call(1, new byte[0]).get(5, TimeUnit.SECONDS));
        assertEquals(1, small.inboundConnections());
    }

    @Test
    void aNodeDoesNotLinkToItself() {
        CompletableFuture<Link> self = a.link(alice.id(), a.listenAddress());

        ExecutionException failure = assertThrows(ExecutionException.class, () -> self.get(5, TimeUnit.SECONDS));
        assertInstanceOf(IllegalArgumentException.class, failure.getCause());
    }

    static void awaitTrue(java.util.function.BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within 5 s: " + what);
            }
            Thread.sleep(10);
        }
    }
}
