package org.gcs.routing.kademlia.link;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.gcs.routing.kademlia.link.LinkDefenceTest.awaitTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.gcs.api.GcsException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Timeouts, in-flight limits, busy answers, handler failures, a dying peer and a peer that does not read. */
@Timeout(value = 20, unit = TimeUnit.SECONDS)
class LinkLimitsTest {
    /** Method numbers of {@link #bobsHandler}. */
    private static final int ECHO = 1;
    private static final int NEVER = 2;
    private static final int REFUSE = 3;
    private static final int CRASH = 4;

    private final TestEndpoints endpoints = new TestEndpoints();
    private final NodeKeys alice = TestKeys.generate();
    private final NodeKeys bob = TestKeys.generate();
    private final AtomicInteger neverAnswered = new AtomicInteger();

    @AfterEach
    void closeEndpoints() {
        endpoints.close();
    }

    private final RequestHandler bobsHandler = (peer, address, method, body) -> switch (method) {
        case NEVER -> {
            neverAnswered.incrementAndGet();
            yield new CompletableFuture<>();
        }
        case REFUSE -> CompletableFuture.failedFuture(new GcsException("no such key"));
        case CRASH -> throw new IllegalStateException("secret internal detail");
        default -> TestEndpoints.ECHO.handle(peer, address, method, body);
    };

    @Test
    void aCallWithoutAnAnswerTimesOutAndTheLinkGoesOn() throws Exception {
        Link link = link(LinkConfig.defaults(), LinkConfig.defaults());

        long start = System.nanoTime();
        ExecutionException failure = assertThrows(ExecutionException.class,
                () -> link.call(NEVER, new byte[0], Duration.ofMillis(200)).get(5, TimeUnit.SECONDS));

        assertInstanceOf(CallTimeoutException.class, failure.getCause());
        assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(3));
        assertTrue(link.isOpen());
        assertArrayEquals(new byte[] {ECHO, 5}, link.call(ECHO, new byte[] {5}).get(5, TimeUnit.SECONDS));
    }

    @Test
    void callsBeyondTheInFlightLimitFailAtOnce() throws Exception {
        Link link = link(LinkConfig.defaults().withMaxCallsInFlight(4), LinkConfig.defaults());
        List<CompletableFuture<byte[]>> waiting = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            waiting.add(link.call(NEVER, new byte[0]));
        }

        CompletableFuture<byte[]> fifth = link.call(ECHO, new byte[0]);

        assertTrue(fifth.isCompletedExceptionally(), "failed before call() returned");
        ExecutionException failure = assertThrows(ExecutionException.class, fifth::get);
        assertInstanceOf(TooManyInFlightException.class, failure.getCause());
        waiting.get(0).cancel(false);
        assertArrayEquals(new byte[] {ECHO}, link.call(ECHO, new byte[0]).get(5, TimeUnit.SECONDS),
                "a cancelled call frees its slot");
    }

    @Test
    void requestsBeyondTheInboundLimitAreAnsweredBusy() throws Exception {
        Link link = link(LinkConfig.defaults(), LinkConfig.defaults().withMaxRequestsInService(2));
        link.call(NEVER, new byte[0]);
        link.call(NEVER, new byte[0]);
        awaitTrue(() -> neverAnswered.get() == 2, "bob serves two requests");

        ExecutionException failure = assertThrows(ExecutionException.class,
                () -> link.call(ECHO, new byte[0]).get(5, TimeUnit.SECONDS));

        PeerBusyException busy = assertInstanceOf(PeerBusyException.class, failure.getCause());
        assertTrue(busy.remoteMessage().startsWith("busy"), busy.remoteMessage());
        assertTrue(link.isOpen());
    }

    @Test
    void handlerFailuresComeBackAsRemoteErrorsWithoutInternalDetails() throws Exception {
        Link link = link(LinkConfig.defaults(), LinkConfig.defaults().withHandlerTimeout(Duration.ofMillis(200)));

        RemoteCallException refused = remoteError(link.call(REFUSE, new byte[0]));
        RemoteCallException crashed = remoteError(link.call(CRASH, new byte[0]));
        RemoteCallException slow = remoteError(link.call(NEVER, new byte[0]));

        assertEquals("no such key", refused.remoteMessage());
        assertEquals("internal error", crashed.remoteMessage());
        assertTrue(slow.remoteMessage().contains("did not answer within"), slow.remoteMessage());
        assertTrue(link.isOpen());
    }

    @Test
    void aCallOrMessageAboveTheFrameLimitFailsLocally() throws Exception {
        LinkConfig small = LinkConfig.defaults().withMaxFrameBytes(4096);
        Link link = link(small, small);

        ExecutionException failure = assertThrows(ExecutionException.class,
                () -> link.call(ECHO, new byte[5000]).get(5, TimeUnit.SECONDS));
        assertInstanceOf(IllegalArgumentException.class, failure.getCause());
        assertThrows(IllegalArgumentException.class, () -> link.send(ECHO, new byte[5000]));
        assertTrue(link.isOpen());
    }

    @Test
    void aDyingPeerFailsWaitingCallsAndANewLinkWorksAfterItRestarts() throws Exception {
        LinkEndpoint a = endpoints.start(alice, LinkConfig.defaults(), TestEndpoints.ECHO);
        LinkEndpoint b = endpoints.start(bob, LinkConfig.defaults(), bobsHandler);
        int port = b.listenAddress().getPort();
        Link link = a.link(bob.id(), b.listenAddress()).get(5, TimeUnit.SECONDS);
        List<CompletableFuture<byte[]>> waiting = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            waiting.add(link.call(NEVER, new byte[0]));
        }
        awaitTrue(() -> neverAnswered.get() == 3, "bob got the calls");

        b.close();

        for (CompletableFuture<byte[]> call : waiting) {
            ExecutionException failure = assertThrows(ExecutionException.class, () -> call.get(5, TimeUnit.SECONDS));
            assertInstanceOf(LinkClosedException.class, failure.getCause());
        }
        link.closeFuture().get(5, TimeUnit.SECONDS);
        assertTrue(link.closeReason().contains("closed its link endpoint"), link.closeReason());
        ExecutionException afterwards = assertThrows(ExecutionException.class,
                () -> link.call(ECHO, new byte[0]).get(5, TimeUnit.SECONDS));
        assertInstanceOf(LinkClosedException.class, afterwards.getCause());

        LinkEndpoint restarted = endpoints.start(bob, LinkConfig.defaults(), bobsHandler, MessageHandler.IGNORE, port);
        Link again = a.link(bob.id(), restarted.listenAddress()).get(5, TimeUnit.SECONDS);

        assertNotSame(link, again);
        assertArrayEquals(new byte[] {ECHO, 1}, again.call(ECHO, new byte[] {1}).get(5, TimeUnit.SECONDS));
    }

    @Test
    void aPeerThatDoesNotReadMakesSendsFailFastAndItsLinkCloses() throws Exception {
        LinkConfig config = LinkConfig.defaults().withMaxWriteBufferBytes(256 * 1024)
                .withKeepalive(Duration.ofMillis(500), Duration.ofSeconds(2));
        LinkEndpoint b = endpoints.start(bob, config, bobsHandler);
        NodeKeys stuck = TestKeys.generate();
        try (RawTlsClient client = RawTlsClient.connect(stuck, b.listenAddress())) {
            client.read();
            client.hello(stuck.id(), 7100);
            awaitTrue(() -> b.existingLink(stuck.id()).isPresent(), "the stuck node's link is up");
            Link link = b.existingLink(stuck.id()).orElseThrow();
            long writtenBefore = b.bytesWritten();

            int sent = 0;
            TooManyInFlightException refused = null;
            for (; sent < 2000 && refused == null; sent++) {
                try {
                    link.send(ECHO, new byte[60 * 1024]);
                } catch (TooManyInFlightException e) {
                    refused = e;
                }
            }

            assertTrue(refused != null, "a send was refused after " + sent + " messages");
            // The client never reads: the link stops reading too, hears nothing and closes after the idle timeout.
            link.closeFuture().get(8, TimeUnit.SECONDS);
            assertTrue(link.closeReason().contains("nothing heard"), link.closeReason());
            assertTrue(b.bytesWritten() - writtenBefore < 64L * 1024 * 1024, "what was written stayed bounded");
        }
    }

    private Link link(LinkConfig alicesConfig, LinkConfig bobsConfig) throws Exception {
        LinkEndpoint a = endpoints.start(alice, alicesConfig, TestEndpoints.ECHO);
        LinkEndpoint b = endpoints.start(bob, bobsConfig, bobsHandler);
        return a.link(bob.id(), b.listenAddress()).get(5, TimeUnit.SECONDS);
    }

    private static RemoteCallException remoteError(CompletableFuture<byte[]> call) {
        ExecutionException failure = assertThrows(ExecutionException.class, () -> call.get(5, TimeUnit.SECONDS));
        return assertInstanceOf(RemoteCallException.class, failure.getCause());
    }
}
