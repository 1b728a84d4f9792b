package org.gcs.transport.ice;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
 * Issue 11: every socket of an ended session is closed when it ends, not when a garbage collection finds it. The test
 * keeps every session and channel strongly reachable, so no collector can close a socket for it: what stays open after
 * the sessions ended is a leak.
 */
class EndedSessionsCloseTheirSocketsTest {
    private final IceTransport transport = new IceTransport(
            TransportSettings.configOf(Map.of("host_addresses", new String[] {"127.0.0.1"})));
    private final List<Object> keep = new ArrayList<>();

    @AfterEach
    void tearDown() {
        transport.deactivate();
    }

    @Test
    @Timeout(120)
    void connectedClosedAndAbandonedSessionsLeaveNoSocketOpen() throws Exception {
        connectAndClose(ChannelType.DATA); // warm-up: the transport's own threads and loops
        OpenSockets.settled(); // what earlier tests in this JVM started may still be ending
        int udpBefore = OpenSockets.udp();
        int allBefore = OpenSockets.all();
        for (int i = 0; i < 8; i++) {
            connectAndClose(i % 2 == 0 ? ChannelType.DATA : ChannelType.STREAM);
        }
        for (int i = 0; i < 6; i++) { // abandoned with only a local description
            PeerSession s = transport.newSession(
                    new SessionOptions(Role.CONTROLLING, ChannelType.DATA, List.of(), Duration.ofSeconds(20)), x -> { });
            keep.add(s);
            s.localDescription().get(5, TimeUnit.SECONDS);
            s.close();
        }
        for (int i = 0; i < 6; i++) { // abandoned during the checks, before a channel was up
            Pair p = wire(ChannelType.STREAM);
            p.caller.close();
            p.callee.close();
        }
        assertSettles(udpBefore, allBefore);
    }

    /**
     * A session abandoned while its STUN server has not answered (here: a server that never answers) leaves no thread
     * behind: ice4j's harvesting thread would wait for that answer forever.
     */
    @Test
    @Timeout(60)
    void sessionsAbandonedBeforeTheirStunServerAnsweredLeaveNoThreadBehind() throws Exception {
        try (java.net.DatagramSocket silentStun = new java.net.DatagramSocket(0, java.net.InetAddress.getLoopbackAddress())) {
            List<org.gcs.api.transport.IceServer> servers = List.of(org.gcs.api.transport.IceServer.stun("127.0.0.1",
                    silentStun.getLocalPort()));
            for (int i = 0; i < 6; i++) {
                PeerSession s = transport.newSession(
                        new SessionOptions(Role.CONTROLLING, ChannelType.DATA, servers, Duration.ofSeconds(20)), x -> { });
                s.localDescription().get(5, TimeUnit.SECONDS);
                Thread.sleep(50); // the STUN harvest has started and waits for the server
                s.close();
                ((IceSession) s).released().get(5, TimeUnit.SECONDS);
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            long waiting = harvestersWaiting();
            while (waiting > 0 && System.nanoTime() < deadline) {
                Thread.sleep(100);
                waiting = harvestersWaiting();
            }
            assertEquals(0, waiting, "threads still waiting for the STUN answers of ended sessions");
        }
    }

    private static long harvestersWaiting() {
        return Thread.getAllStackTraces().values().stream().filter(trace -> java.util.Arrays.stream(trace)
                .anyMatch(f -> f.getMethodName().equals("waitForResolutionEnd"))).count();
    }

    private void assertSettles(int udpBefore, int allBefore) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        int udp = OpenSockets.udp();
        int all = OpenSockets.all();
        while ((udp > udpBefore || all > allBefore) && System.nanoTime() < deadline) {
            Thread.sleep(100);
            udp = OpenSockets.udp();
            all = OpenSockets.all();
        }
        System.out.printf("[sockets] UDP %d -> %d, all %d -> %d%n", udpBefore, udp, allBefore, all);
        assertTrue(udp <= udpBefore, "UDP sockets still open after the sessions ended: " + udp + " > " + udpBefore);
        assertTrue(all <= allBefore, "socket descriptors still open after the sessions ended: " + all + " > " + allBefore);
        assertTrue(keep.size() > 20, "the sessions are still reachable: no collector closed a socket for us");
    }

    private record Pair(PeerSession caller, PeerSession callee) {
    }

    private void connectAndClose(ChannelType type) throws Exception {
        Pair p = wire(type);
        P2PChannel a = p.caller.channel().get(20, TimeUnit.SECONDS);
        P2PChannel b = p.callee.channel().get(20, TimeUnit.SECONDS);
        keep.add(a);
        keep.add(b);
        a.close();
        b.closeFuture().get(5, TimeUnit.SECONDS);
        b.close();
    }

    private Pair wire(ChannelType type) throws Exception {
        List<byte[]> toCallee = new ArrayList<>();
        PeerSession[] callee = new PeerSession[1];
        PeerSession[] caller = new PeerSession[1];
        Object lock = new Object();
        caller[0] = transport.newSession(new SessionOptions(Role.CONTROLLING, type, List.of(), Duration.ofSeconds(20)),
                sig -> {
                    synchronized (lock) {
                        if (callee[0] == null) {
                            toCallee.add(sig);
                            return;
                        }
                    }
                    callee[0].remoteSignal(sig);
                });
        byte[] offer = caller[0].localDescription().get(5, TimeUnit.SECONDS);
        PeerSession c = transport.newSession(new SessionOptions(Role.CONTROLLED, type, List.of(), Duration.ofSeconds(20)),
                sig -> caller[0].remoteSignal(sig));
        c.remoteDescription(offer);
        byte[] answer = c.localDescription().get(5, TimeUnit.SECONDS);
        caller[0].remoteDescription(answer);
        List<byte[]> early;
        synchronized (lock) {
            callee[0] = c;
            early = new ArrayList<>(toCallee);
        }
        early.forEach(c::remoteSignal);
        keep.add(caller[0]);
        keep.add(c);
        return new Pair(caller[0], c);
    }
}
