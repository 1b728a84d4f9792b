package org.gcs.transport.ice;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.gcs.api.transport.ChannelType;
import org.gcs.api.transport.IceServer;
import org.gcs.api.transport.P2PChannel;
import org.gcs.api.transport.PathKind;
import org.gcs.api.transport.PeerSession;
import org.gcs.api.transport.Role;
import org.gcs.api.transport.SessionOptions;
import org.gcs.transport.ice.wire.CandidateInfo;
import org.gcs.transport.ice.wire.Description;
import org.gcs.transport.ice.wire.Signal;
import org.gcs.transport.ice.wire.WireCodec;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * TURN on loopback with a coturn of our own: relayed candidates with REST credentials, a relay-only channel whose bytes
 * flow through coturn and outlive several allocation lifetimes, and trickle (description first, relayed candidates
 * later) with a direct pair preferred over the relayed one.
 */
class TurnRelayTest {
    /** coturn's --max-allocate-lifetime: allocations must be refreshed every few seconds. */
    private static final int LIFETIME_SECONDS = 3;
    private static Coturn coturn;
    private static IceTransport relayOnly;
    private static IceTransport normal;

    @BeforeAll
    static void start() throws Exception {
        coturn = Coturn.start(LIFETIME_SECONDS);
        relayOnly = new IceTransport(TransportSettings.configOf(Map.of("host_addresses", new String[] {"127.0.0.1"},
                "relay_only", true, "turn_refresh_max_ms", 1000L)));
        normal = new IceTransport(TransportSettings.configOf(Map.of("host_addresses", new String[] {"127.0.0.1"})));
    }

    @AfterAll
    static void stop() throws Exception {
        if (relayOnly != null) {
            relayOnly.deactivate();
        }
        if (normal != null) {
            normal.deactivate();
        }
        if (coturn != null) {
            if (Boolean.getBoolean("gcs.coturn.log")) {
                coturn.log().forEach(l -> System.out.println("[coturn log] " + l));
            }
            coturn.close();
        }
    }

    /** Two sessions wired like the daemons do, recording what each emits. */
    private record Wired(PeerSession caller, PeerSession callee, List<byte[]> callerSignals, long descriptionNanos,
                         List<Long> callerSignalNanos) {
    }

    private static Wired wire(IceTransport callerT, IceTransport calleeT, List<IceServer> callerServers,
                              List<IceServer> calleeServers, ChannelType type) throws Exception {
        Duration timeout = Duration.ofSeconds(15);
        PeerSession[] callee = new PeerSession[1];
        PeerSession[] caller = new PeerSession[1];
        List<byte[]> toCallee = Collections.synchronizedList(new ArrayList<>());
        List<Long> toCalleeAt = Collections.synchronizedList(new ArrayList<>());
        List<byte[]> toCaller = Collections.synchronizedList(new ArrayList<>());
        Object lock = new Object();
        caller[0] = callerT.newSession(new SessionOptions(Role.CONTROLLING, type, callerServers, timeout), s -> {
            synchronized (lock) {
                toCallee.add(s);
                toCalleeAt.add(System.nanoTime());
                if (callee[0] != null) {
                    callee[0].remoteSignal(s);
                }
            }
        });
        byte[] offer = caller[0].localDescription().get(5, TimeUnit.SECONDS);
        long descriptionAt = System.nanoTime();
        PeerSession ce = calleeT.newSession(new SessionOptions(Role.CONTROLLED, type, calleeServers, timeout), s -> {
            synchronized (lock) {
                if (caller[0] != null) {
                    caller[0].remoteSignal(s);
                } else {
                    toCaller.add(s);
                }
            }
        });
        ce.remoteDescription(offer);
        synchronized (lock) {
            callee[0] = ce;
            for (byte[] s : toCallee) {
                ce.remoteSignal(s);
            }
        }
        caller[0].remoteDescription(ce.localDescription().get(5, TimeUnit.SECONDS));
        return new Wired(caller[0], ce, toCallee, descriptionAt, toCalleeAt);
    }

    private static void roundTrip(P2PChannel a, P2PChannel b, int bytes, long seed) throws Exception {
        byte[] data = new byte[bytes];
        new Random(seed).nextBytes(data);
        CompletableFuture<Void> w = CompletableFuture.runAsync(() -> {
            try {
                a.output().write(data);
                a.output().flush();
            } catch (java.io.IOException e) {
                throw new RuntimeException(e);
            }
        });
        byte[] got = b.input().readNBytes(bytes);
        w.get(10, TimeUnit.SECONDS);
        assertArrayEquals(data, got);
    }

    @Test
    @Timeout(60)
    void relayOnlyChannelFlowsThroughTurnAndOutlivesTheAllocationLifetime() throws Exception {
        Wired w = wire(relayOnly, relayOnly, List.of(coturn.credentials("alice", 600)),
                List.of(coturn.credentials("bob", 600)), ChannelType.DATA);
        long t0 = System.nanoTime();
        P2PChannel a = w.caller().channel().get(20, TimeUnit.SECONDS);
        P2PChannel b = w.callee().channel().get(20, TimeUnit.SECONDS);
        try {
            System.out.printf("[TURN relay-only] channel after %d ms, caller pair %s, callee pair %s%n",
                    (System.nanoTime() - t0) / 1_000_000, ((IceSession) w.caller()).selectedPair(),
                    ((IceSession) w.callee()).selectedPair());
            assertEquals(PathKind.RELAYED, a.path());
            assertEquals(PathKind.RELAYED, b.path());
            assertTrue(usesRelayPort(((IceSession) w.caller()).selectedPair()), ((IceSession) w.caller()).selectedPair());
            for (byte[] s : w.callerSignals()) {
                if (WireCodec.decodeSignal(s) instanceof Signal.Candidate c) {
                    assertEquals(CandidateInfo.Type.RELAYED, c.candidate().type(), "relay_only trickled " + c);
                }
            }
            long t1 = System.nanoTime();
            roundTrip(a, b, 2 << 20, 1);
            roundTrip(b, a, 2 << 20, 2);
            System.out.printf("[TURN relay-only] 2 x 2 MB through coturn in %d ms%n", (System.nanoTime() - t1) / 1_000_000);
            Thread.sleep(LIFETIME_SECONDS * 2500L); // idle across two allocation lifetimes: refreshes keep it
            roundTrip(a, b, 64 * 1024, 3);
            roundTrip(b, a, 64 * 1024, 4);
            long refreshes = coturn.log().stream().filter(l -> l.contains("REFRESH processed, success")).count();
            System.out.println("[TURN relay-only] allocation refreshes accepted by coturn: " + refreshes);
            assertTrue(refreshes >= 4, "allocation refreshes: " + refreshes);
            assertFalse(a.closeFuture().isDone());
        } finally {
            a.close();
            b.close();
        }
        b.closeFuture().get(5, TimeUnit.SECONDS);
    }

    private static boolean endsWithEndOfCandidates(List<byte[]> signals) {
        synchronized (signals) {
            return !signals.isEmpty()
                    && WireCodec.decodeSignal(signals.get(signals.size() - 1)) instanceof Signal.EndOfCandidates;
        }
    }

    private boolean usesRelayPort(String selectedPair) {
        Matcher m = Pattern.compile(":(\\d+)/udp").matcher(selectedPair);
        while (m.find()) {
            if (coturn.isRelayPort(Integer.parseInt(m.group(1)))) {
                return true;
            }
        }
        return false;
    }

    @Test
    @Timeout(60)
    void descriptionLeavesFirstRelayedCandidatesAreTrickledAndTheDirectPairWins() throws Exception {
        Wired w = wire(normal, normal, List.of(coturn.credentials("carol", 600)),
                List.of(coturn.credentials("dave", 600)), ChannelType.DATA);
        P2PChannel a = w.caller().channel().get(20, TimeUnit.SECONDS);
        P2PChannel b = w.callee().channel().get(20, TimeUnit.SECONDS);
        try {
            Description offer = WireCodec.decodeDescription(w.caller().localDescription().get());
            assertTrue(offer.candidates().stream().allMatch(c -> c.type() == CandidateInfo.Type.HOST), offer.toString());
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (System.nanoTime() < deadline && !endsWithEndOfCandidates(w.callerSignals())) {
                Thread.sleep(20); // checks start before gathering ends: the channel may be up first
            }
            List<Signal> signals = new ArrayList<>();
            synchronized (w.callerSignals()) {
                for (byte[] s : w.callerSignals()) {
                    signals.add(WireCodec.decodeSignal(s));
                }
            }
            assertTrue(signals.stream().anyMatch(s -> s instanceof Signal.Candidate c
                    && c.candidate().type() == CandidateInfo.Type.RELAYED), "no relayed candidate trickled: " + signals);
            assertEquals(Signal.END_OF_CANDIDATES, signals.get(signals.size() - 1));
            long eocAfter = (w.callerSignalNanos().get(signals.size() - 1) - w.descriptionNanos()) / 1_000_000;
            assertTrue(w.callerSignalNanos().get(0) >= w.descriptionNanos(), "a signal left before the description");
            System.out.printf("[trickle] description first, %d signals, end-of-candidates %d ms after it; pair %s%n",
                    signals.size(), eocAfter, ((IceSession) w.caller()).selectedPair());
            assertEquals(PathKind.HOST, a.path(), "a direct pair succeeded too: relay must not be nominated");
            assertEquals(PathKind.HOST, b.path());
            roundTrip(a, b, 256 * 1024, 5);
        } finally {
            a.close();
            b.close();
        }
    }

    @Test
    @Timeout(90)
    void endedRelayedSessionsCloseTheirSocketsAndDeleteTheirAllocations() throws Exception {
        List<Object> keep = new ArrayList<>(); // reachable: no collector closes a socket for us
        int before = OpenSockets.settled(); // the other tests' sessions may still be ending
        int logBefore = coturn.log().size();
        int pairs = 3;
        for (int i = 0; i < pairs; i++) {
            Wired w = wire(relayOnly, relayOnly, List.of(coturn.credentials("erin" + i, 600)),
                    List.of(coturn.credentials("frank" + i, 600)), ChannelType.DATA);
            keep.add(w);
            P2PChannel a = w.caller().channel().get(20, TimeUnit.SECONDS);
            P2PChannel b = w.callee().channel().get(20, TimeUnit.SECONDS);
            keep.add(a);
            keep.add(b);
            roundTrip(a, b, 4096, 10 + i);
            a.close();
            b.closeFuture().get(5, TimeUnit.SECONDS);
            b.close();
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while ((OpenSockets.all() > before || deletes(logBefore) < 2 * pairs) && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        System.out.printf("[TURN ended] sockets %d -> %d, allocations deleted %d of %d%n", before, OpenSockets.all(),
                deletes(logBefore), 2 * pairs);
        assertTrue(OpenSockets.all() <= before, "socket descriptors still open after the relayed sessions ended: "
                + OpenSockets.all() + " > " + before);
        assertEquals(2 * pairs, deletes(logBefore), "allocations the sessions did not delete at the TURN server");
        assertTrue(keep.size() == 3 * pairs);
    }

    /** Allocations of this test's users (erin*, frank*) deleted by their client (a Refresh with lifetime 0). */
    private static long deletes(int from) {
        List<String> log = coturn.log();
        return log.subList(from, log.size()).stream().filter(l -> l.contains("refreshed") && l.endsWith("lifetime=0")
                && (l.contains(":erin") || l.contains(":frank"))).count();
    }

}
