package org.gcs.transport.ice;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.lang.ref.WeakReference;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.gcs.api.transport.ChannelType;
import org.gcs.api.transport.P2PChannel;
import org.gcs.api.transport.PeerSession;
import org.gcs.api.transport.Role;
import org.gcs.api.transport.SessionOptions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 11: an ended session (its channel closed at both ends, or abandoned before a channel) is not kept reachable by
 * the transport, so its memory goes with the next collection instead of piling up for the length of some timer (a
 * device making 10 connects a second held 400 finished sessions, about 100 MB, at any time).
 */
class EndedSessionsAreNotRetainedTest {
    private final IceTransport transport = new IceTransport(
            TransportSettings.configOf(Map.of("host_addresses", new String[] {"127.0.0.1"})));

    @AfterEach
    void tearDown() {
        transport.deactivate();
    }

    @Test
    @Timeout(60)
    void endedSessionsAndTheirChannelsCanBeCollectedAtOnce() throws Exception {
        List<WeakReference<Object>> ended = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            connectAndClose(i % 2 == 0 ? ChannelType.DATA : ChannelType.STREAM, ended);
        }
        for (int i = 0; i < 3; i++) {
            PeerSession s = transport.newSession(
                    new SessionOptions(Role.CONTROLLING, ChannelType.DATA, List.of(), Duration.ofSeconds(20)), x -> { });
            s.localDescription().get(5, TimeUnit.SECONDS);
            s.close();
            ((IceSession) s).released().get(5, TimeUnit.SECONDS);
            ended.add(new WeakReference<>(s));
        }
        // half of Netty's 30 s connect timer, which kept them before; the channel's own close linger (2 s) and QUIC's
        // draining may hold one for a few seconds on a loaded machine
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        long alive = ended.size();
        while (alive > 0 && System.nanoTime() < deadline) {
            System.gc();
            Thread.sleep(100);
            alive = ended.stream().filter(r -> r.get() != null).count();
        }
        List<String> left = new ArrayList<>();
        for (int i = 0; i < ended.size(); i++) {
            Object o = ended.get(i).get();
            if (o != null) {
                left.add(i + ":" + o.getClass().getSimpleName());
            }
        }
        System.out.printf("[retention] %d of %d ended sessions and channels still reachable %s%n", alive, ended.size(),
                left);
        assertEquals(0, alive, "ended sessions or channels are still reachable");
    }

    private void connectAndClose(ChannelType type, List<WeakReference<Object>> ended) throws Exception {
        PeerSession[] callee = new PeerSession[1];
        List<byte[]> early = new ArrayList<>();
        Object lock = new Object();
        PeerSession caller = transport.newSession(new SessionOptions(Role.CONTROLLING, type, List.of(),
                Duration.ofSeconds(20)), sig -> {
                    synchronized (lock) {
                        if (callee[0] == null) {
                            early.add(sig);
                            return;
                        }
                    }
                    callee[0].remoteSignal(sig);
                });
        byte[] offer = caller.localDescription().get(5, TimeUnit.SECONDS);
        PeerSession c = transport.newSession(new SessionOptions(Role.CONTROLLED, type, List.of(), Duration.ofSeconds(20)),
                caller::remoteSignal);
        c.remoteDescription(offer);
        caller.remoteDescription(c.localDescription().get(5, TimeUnit.SECONDS));
        synchronized (lock) {
            callee[0] = c;
            early.forEach(c::remoteSignal);
        }
        P2PChannel a = caller.channel().get(20, TimeUnit.SECONDS);
        P2PChannel b = c.channel().get(20, TimeUnit.SECONDS);
        a.close();
        b.closeFuture().get(5, TimeUnit.SECONDS);
        b.close();
        ((IceSession) caller).released().get(5, TimeUnit.SECONDS);
        ((IceSession) c).released().get(5, TimeUnit.SECONDS);
        for (Object o : new Object[] {caller, c, a, b}) {
            ended.add(new WeakReference<>(o));
        }
    }
}
