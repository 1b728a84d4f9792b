package org.gcs.transport.ice;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.gcs.api.TransportException;
import org.gcs.api.transport.ChannelType;
import org.gcs.api.transport.P2PTransport;
import org.gcs.api.transport.PeerSession;
import org.gcs.api.transport.Role;
import org.gcs.api.transport.SessionOptions;
import org.gcs.contracts.P2PTransportContract;
import org.gcs.transport.ice.wire.CandidateInfo;
import org.gcs.transport.ice.wire.Description;
import org.gcs.transport.ice.wire.WireCodec;
import org.ice4j.ice.harvest.AwsCandidateHarvester;
import org.ice4j.ice.harvest.MappingCandidateHarvester;
import org.ice4j.ice.harvest.MappingCandidateHarvesters;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The transport contract on 127.0.0.1, plus what is specific to ICE/QUIC. */
class IceTransportTest extends P2PTransportContract {
    @Override
    protected P2PTransport createTransport() {
        return new IceTransport(TransportSettings.configOf(Map.of("host_addresses", new String[] {"127.0.0.1"})));
    }

    @Override
    protected void disposeTransport(P2PTransport t) {
        ((IceTransport) t).deactivate();
    }

    @Test
    void awsMetadataHarvesterIsOffAfterActivation() {
        assertEquals("false", System.getProperty("ice4j.harvest.mapping.aws.enabled"));
        for (MappingCandidateHarvester h : MappingCandidateHarvesters.getHarvesters()) {
            assertFalse(h instanceof AwsCandidateHarvester, "AWS harvester present: " + h);
        }
    }

    @Test
    void stunRetransmissionLimitsAreOurs() {
        assertEquals("800", System.getProperty("org.ice4j.MAX_CTRAN_RETRANS_TIMER"));
        assertEquals("4", System.getProperty("org.ice4j.MAX_RETRANSMISSIONS"));
    }

    @Test
    void settingsAreReadFromTheConfiguration() {
        TransportSettings s = TransportSettings.of(Map.of("host_addresses", new String[] {"127.0.0.1", " "},
                "port_min", 40000, "port_max", 40100));
        assertEquals(List.of(InetAddress.getLoopbackAddress()), s.hostAddresses());
        assertEquals(40000, s.portMin());
        assertEquals(40100, s.portMax());
    }

    @Test
    @Timeout(20)
    void descriptionCarriesOnlyTheConfiguredHostAddress() throws Exception {
        try (PeerSession s = transport.newSession(
                new SessionOptions(Role.CONTROLLING, ChannelType.DATA, List.of(), Duration.ofSeconds(5)), x -> { })) {
            Description d = WireCodec.decodeDescription(s.localDescription().get(5, TimeUnit.SECONDS));
            assertFalse(d.candidates().isEmpty());
            for (CandidateInfo c : d.candidates()) {
                assertEquals(CandidateInfo.Type.HOST, c.type());
                assertTrue(c.address().isLoopbackAddress(), c.toString());
            }
        }
    }

    @Test
    @Timeout(30)
    void tamperedFingerprintInTheAnswerFailsBothChannels() throws Exception {
        Duration timeout = Duration.ofSeconds(6);
        Pair p = wire(ChannelType.DATA, timeout, answer -> {
            Description d = WireCodec.decodeDescription(answer);
            byte[] fp = d.fingerprint();
            fp[0] ^= 1;
            return WireCodec.encode(new Description(d.ufrag(), d.password(), fp, d.candidates()));
        });
        try {
            Throwable caller = failureOf(p.caller().channel(), timeout.toMillis() + 3000);
            assertInstanceOf(TransportException.class, caller);
            assertTrue(caller.getMessage().contains("fingerprint mismatch"), caller.getMessage());
            Throwable callee = failureOf(p.callee().channel(), timeout.toMillis() + 3000);
            assertInstanceOf(TransportException.class, callee);
            System.out.println("[tampered fingerprint] caller: " + caller.getMessage() + " | callee: " + callee.getMessage());
        } finally {
            p.close();
        }
    }

    @Test
    @Timeout(60)
    void tenMegabytesOneWayOverIce() throws Exception {
        org.gcs.api.transport.P2PChannel[] ch = connect(ChannelType.DATA);
        try {
            byte[] data = new byte[BULK_BYTES];
            new java.util.Random(9).nextBytes(data);
            long t0 = System.nanoTime();
            java.util.concurrent.CompletableFuture<Void> w = java.util.concurrent.CompletableFuture.runAsync(() -> {
                try {
                    ch[0].output().write(data);
                    ch[0].output().close();
                } catch (java.io.IOException e) {
                    throw new RuntimeException(e);
                }
            });
            byte[] got = ch[1].input().readAllBytes();
            double sec = (System.nanoTime() - t0) / 1e9;
            w.get(5, TimeUnit.SECONDS);
            org.junit.jupiter.api.Assertions.assertArrayEquals(data, got);
            System.out.printf("[QUIC over ICE (ice4j)] 10 MB one way in %.2f s (%.0f Mbit/s)%n", sec,
                    data.length * 8 / sec / 1e6);
        } finally {
            ch[0].close();
            ch[1].close();
        }
    }

    @Test
    @Timeout(60)
    void closedChannelsReachThePeerLeaveNoReceiveThreadsAndDatagramSizeIsUsable() throws Exception {
        for (int i = 0; i < 3; i++) {
            org.gcs.api.transport.P2PChannel[] ch = connect(ChannelType.STREAM);
            assertTrue(ch[0].maxDatagramSize() >= 1000, "max datagram " + ch[0].maxDatagramSize());
            if (i == 0) {
                System.out.println("[STREAM] maxDatagramSize = " + ch[0].maxDatagramSize() + " / " + ch[1].maxDatagramSize());
            }
            ch[0].close();
            ch[1].closeFuture().get(5, TimeUnit.SECONDS);
            ch[1].close();
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        List<String> shims = shimThreads();
        while (!shims.isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(100);
            shims = shimThreads();
        }
        List<String> leaked = shims;
        assertTrue(leaked.isEmpty(), () -> "shim threads still alive: " + stacks(leaked));
    }

    private static String stacks(List<String> names) {
        StringBuilder s = new StringBuilder();
        Thread.getAllStackTraces().forEach((t, trace) -> {
            if (names.contains(t.getName())) {
                s.append('\n').append(t.getName());
                for (StackTraceElement e : trace) {
                    s.append("\n    at ").append(e);
                }
            }
        });
        return s.toString();
    }

    private static List<String> shimThreads() {
        return threadNames().stream().filter(n -> n.startsWith("gcs-ice-rx-") || n.startsWith("gcs-ice-tx-")).toList();
    }

    @Test
    @Timeout(30)
    void unreachableCandidatesFailWithIceFailed() throws Exception {
        int deadPort;
        try (java.net.DatagramSocket d = new java.net.DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            deadPort = d.getLocalPort();
        }
        Duration timeout = Duration.ofSeconds(12);
        try (PeerSession s = transport.newSession(
                new SessionOptions(Role.CONTROLLING, ChannelType.DATA, List.of(), timeout), x -> { })) {
            s.localDescription().get(5, TimeUnit.SECONDS);
            CandidateInfo dead = new CandidateInfo("1", 2130706431L, CandidateInfo.Type.HOST,
                    InetAddress.getLoopbackAddress(), deadPort, null, 0);
            s.remoteDescription(WireCodec.encode(new Description("abcd", "abcdefghijklmnopqrstuv", new byte[32],
                    List.of(dead))));
            long t0 = System.nanoTime();
            Throwable t = failureOf(s.channel(), timeout.toMillis() + 3000);
            assertInstanceOf(TransportException.class, t);
            System.out.printf("[unreachable peer] after %d ms: %s%n", (System.nanoTime() - t0) / 1_000_000, t.getMessage());
            assertTrue(t.getMessage().startsWith("ICE failed"), t.getMessage());
        }
    }

    @Test
    @Timeout(30)
    void pendingSessionsAreForgottenAndClosedOnDeactivation() throws Exception {
        PeerSession s = transport.newSession(
                new SessionOptions(Role.CONTROLLED, ChannelType.STREAM, List.of(), Duration.ofSeconds(10)), x -> { });
        s.localDescription().get(5, TimeUnit.SECONDS);
        assertEquals(1, ((IceTransport) transport).pendingSessions());
        ((IceTransport) transport).deactivate();
        assertInstanceOf(TransportException.class, failureOf(s.channel(), 2000));
        transport = createTransport(); // for @AfterEach
    }

    @Test
    void everySessionGetsItsOwnCertificateEvenWithOneMadeAhead() throws Exception {
        IceTransport t = (IceTransport) transport;
        java.util.Set<String> fingerprints = new java.util.HashSet<>();
        for (int i = 0; i < 6; i++) {
            assertTrue(fingerprints.add(java.util.HexFormat.of().formatHex(t.sessionCertificate().fingerprint())),
                    "a certificate was handed out twice");
            if (i % 2 == 0) {
                Thread.sleep(50); // lets the spare be made: half the calls take it, half find none yet
            }
        }
    }

    @Test
    void pathKindIsTheMostIndirectOfBothEnds() {
        org.ice4j.ice.CandidateType host = org.ice4j.ice.CandidateType.HOST_CANDIDATE;
        org.ice4j.ice.CandidateType srflx = org.ice4j.ice.CandidateType.SERVER_REFLEXIVE_CANDIDATE;
        org.ice4j.ice.CandidateType prflx = org.ice4j.ice.CandidateType.PEER_REFLEXIVE_CANDIDATE;
        org.ice4j.ice.CandidateType relay = org.ice4j.ice.CandidateType.RELAYED_CANDIDATE;
        assertEquals(org.gcs.api.transport.PathKind.HOST, CandidateMapping.pathKindOf(host, host));
        assertEquals(org.gcs.api.transport.PathKind.SERVER_REFLEXIVE, CandidateMapping.pathKindOf(host, srflx));
        assertEquals(org.gcs.api.transport.PathKind.SERVER_REFLEXIVE, CandidateMapping.pathKindOf(srflx, host));
        assertEquals(org.gcs.api.transport.PathKind.PEER_REFLEXIVE, CandidateMapping.pathKindOf(srflx, prflx));
        assertEquals(org.gcs.api.transport.PathKind.PEER_REFLEXIVE, CandidateMapping.pathKindOf(prflx, host));
        assertEquals(org.gcs.api.transport.PathKind.RELAYED, CandidateMapping.pathKindOf(host, relay));
        assertEquals(org.gcs.api.transport.PathKind.RELAYED, CandidateMapping.pathKindOf(relay, srflx));
        assertEquals(org.gcs.api.transport.PathKind.RELAYED, CandidateMapping.pathKindOf(relay, relay));
    }

    @Test
    void turnRefreshComesBeforeTheAllocationExpires() {
        assertEquals(540_000, TurnHarvester.refreshAfterMillis(600, 0));
        assertEquals(3_540_000, TurnHarvester.refreshAfterMillis(3600, 0));
        assertEquals(2_400, TurnHarvester.refreshAfterMillis(3, 0));
        assertEquals(1_000, TurnHarvester.refreshAfterMillis(1, 0));
        assertEquals(1_000, TurnHarvester.refreshAfterMillis(600, 1_000));
    }

    @Test
    @Timeout(30)
    void lateRemoteCandidateStillPairs() throws Exception {
        Duration timeout = Duration.ofSeconds(10);
        java.util.List<byte[]> calleeSignals = java.util.Collections.synchronizedList(new java.util.ArrayList<>());
        PeerSession[] callerRef = new PeerSession[1];
        PeerSession callee = null;
        java.util.List<byte[]> callerSignals = java.util.Collections.synchronizedList(new java.util.ArrayList<>());
        PeerSession caller = transport.newSession(new SessionOptions(Role.CONTROLLING, ChannelType.DATA, List.of(),
                timeout), callerSignals::add);
        callerRef[0] = caller;
        try {
            byte[] offer = caller.localDescription().get(5, TimeUnit.SECONDS);
            callee = transport.newSession(new SessionOptions(Role.CONTROLLED, ChannelType.DATA, List.of(), timeout),
                    calleeSignals::add);
            callee.remoteDescription(offer);
            synchronized (callerSignals) {
                callerSignals.forEach(callee::remoteSignal); // the caller's end-of-candidates
            }
            Description answer = WireCodec.decodeDescription(callee.localDescription().get(5, TimeUnit.SECONDS));
            // the caller learns the callee's credentials now but its only candidate 400 ms later, as a trickled signal
            caller.remoteDescription(WireCodec.encode(new Description(answer.ufrag(), answer.password(),
                    answer.fingerprint(), List.of())));
            Thread.sleep(400);
            assertFalse(caller.channel().isDone(), "connected without any remote candidate?");
            for (CandidateInfo c : answer.candidates()) {
                caller.remoteSignal(WireCodec.encode(new org.gcs.transport.ice.wire.Signal.Candidate(c)));
            }
            synchronized (calleeSignals) {
                calleeSignals.forEach(caller::remoteSignal);
            }
            org.gcs.api.transport.P2PChannel a = caller.channel().get(10, TimeUnit.SECONDS);
            org.gcs.api.transport.P2PChannel b = callee.channel().get(10, TimeUnit.SECONDS);
            assertEquals(org.gcs.api.transport.PathKind.HOST, a.path());
            System.out.println("[late remote candidate] pair " + ((IceSession) caller).selectedPair());
            a.output().write(42);
            a.output().flush();
            assertEquals(42, b.input().read());
            a.close();
            b.close();
        } finally {
            caller.close();
            if (callee != null) {
                callee.close();
            }
        }
    }

    @Test
    @Timeout(30)
    void deadPeerThatEndedItsCandidatesFailsWithinTheDocumentedBound() throws Exception {
        int deadPort;
        try (java.net.DatagramSocket d = new java.net.DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            deadPort = d.getLocalPort();
        }
        try (PeerSession s = transport.newSession(
                new SessionOptions(Role.CONTROLLING, ChannelType.DATA, List.of(), Duration.ofSeconds(15)), x -> { })) {
            s.localDescription().get(5, TimeUnit.SECONDS);
            CandidateInfo dead = new CandidateInfo("1", 2130706431L, CandidateInfo.Type.HOST,
                    InetAddress.getLoopbackAddress(), deadPort, null, 0);
            long t0 = System.nanoTime();
            s.remoteDescription(WireCodec.encode(new Description("abcd", "abcdefghijklmnopqrstuv", new byte[32],
                    List.of(dead))));
            s.remoteSignal(WireCodec.encode(org.gcs.transport.ice.wire.Signal.END_OF_CANDIDATES));
            Throwable t = failureOf(s.channel(), 10_000);
            long took = (System.nanoTime() - t0) / 1_000_000;
            System.out.printf("[dead peer, end-of-candidates] failed after %d ms: %s%n", took, t.getMessage());
            assertInstanceOf(TransportException.class, t);
            assertTrue(t.getMessage().startsWith("ICE failed: all 1 candidate pairs failed"), t.getMessage());
            // README: one check gives up after ~2.3 s (800 ms / 4 retransmissions), plus ice_failed_grace_ms (1 s)
            assertTrue(took < 4500, "failed after " + took + " ms");
        }
    }

    @Test
    @Timeout(30)
    void idleChannelOutlivesTheQuicIdleTimeoutThanksToKeepalives() throws Exception {
        P2PTransport shortIdle = new IceTransport(TransportSettings.configOf(Map.of(
                "host_addresses", new String[] {"127.0.0.1"}, "quic_idle_timeout_ms", 1200L)));
        P2PTransport previous = transport;
        transport = shortIdle;
        try {
            org.gcs.api.transport.P2PChannel[] ch = connect(ChannelType.DATA);
            Thread.sleep(4000); // more than three idle timeouts without application data
            assertFalse(ch[0].closeFuture().isDone(), "the idle channel closed");
            ch[0].output().write(7);
            ch[0].output().flush();
            assertEquals(7, ch[1].input().read());
            ch[1].output().write(8);
            ch[1].output().flush();
            assertEquals(8, ch[0].input().read());
            org.gcs.api.transport.P2PChannel[] st = connect(ChannelType.STREAM);
            Thread.sleep(4000);
            assertFalse(st[0].closeFuture().isDone(), "the idle STREAM channel closed");
            st[0].sendDatagram(new byte[] {1, 2, 3});
            assertArrayEquals(new byte[] {1, 2, 3}, st[1].receiveDatagram(), "keep-alives must not reach the app");
            for (org.gcs.api.transport.P2PChannel c : new org.gcs.api.transport.P2PChannel[] {ch[0], ch[1], st[0], st[1]}) {
                c.close();
            }
        } finally {
            transport = previous;
            ((IceTransport) shortIdle).deactivate();
        }
    }
}
