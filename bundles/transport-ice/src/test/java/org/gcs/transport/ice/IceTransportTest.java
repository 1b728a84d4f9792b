package org.gcs.transport.ice;

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
            System.out.printf("[QUIC over ICE (ice4j) + shim] 10 MB one way in %.2f s (%.0f Mbit/s)%n", sec,
                    data.length * 8 / sec / 1e6);
        } finally {
            ch[0].close();
            ch[1].close();
        }
    }

    @Test
    @Timeout(60)
    void closedChannelsLeaveNoShimThreadsAndDatagramSizeIsUsable() throws Exception {
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
        assertTrue(shims.isEmpty(), "shim threads still alive: " + shims);
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
}
