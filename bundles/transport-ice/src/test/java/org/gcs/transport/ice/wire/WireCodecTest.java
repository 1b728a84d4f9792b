package org.gcs.transport.ice.wire;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.gcs.api.ProtocolException;
import org.junit.jupiter.api.Test;

class WireCodecTest {
    private static final byte[] FP = new byte[32];

    static {
        Arrays.fill(FP, (byte) 7);
    }

    private static CandidateInfo host(String ip, int port) throws Exception {
        return new CandidateInfo("1", 2130706431L, CandidateInfo.Type.HOST, InetAddress.getByName(ip), port, null, 0);
    }

    private static Description sample() throws Exception {
        CandidateInfo srflx = new CandidateInfo("2", 1694498815L, CandidateInfo.Type.SERVER_REFLEXIVE,
                InetAddress.getByName("203.0.113.7"), 40000, InetAddress.getByName("192.168.1.2"), 5000);
        CandidateInfo v6 = host("2001:db8::1", 6000);
        return new Description("ufrag1", "abcdefghijklmnopqrstuvwx", FP, List.of(host("127.0.0.1", 5000), srflx, v6));
    }

    @Test
    void descriptionRoundTrips() throws Exception {
        Description d = sample();
        Description back = WireCodec.decodeDescription(WireCodec.encode(d));
        assertEquals(d, back);
        assertArrayEquals(FP, back.fingerprint());
        assertEquals(0xFFFF_FFFFL, WireCodec.decodeSignal(WireCodec.encode(new Signal.Candidate(
                new CandidateInfo("a+/", 0xFFFF_FFFFL, CandidateInfo.Type.RELAYED, InetAddress.getByName("10.0.0.1"),
                        65535, InetAddress.getByName("10.0.0.2"), 1)))) instanceof Signal.Candidate c
                ? c.candidate().priority() : -1);
    }

    @Test
    void signalsRoundTrip() throws Exception {
        Signal s = new Signal.Candidate(host("10.1.2.3", 1234));
        assertEquals(s, WireCodec.decodeSignal(WireCodec.encode(s)));
        assertEquals(Signal.END_OF_CANDIDATES, WireCodec.decodeSignal(WireCodec.encode(Signal.END_OF_CANDIDATES)));
    }

    @Test
    void everyTruncationIsRejected() throws Exception {
        byte[] full = WireCodec.encode(sample());
        for (int len = 0; len < full.length; len++) {
            byte[] cut = Arrays.copyOf(full, len);
            assertThrows(ProtocolException.class, () -> WireCodec.decodeDescription(cut), "length " + len);
        }
        byte[] sig = WireCodec.encode(new Signal.Candidate(host("10.1.2.3", 1234)));
        for (int len = 0; len < sig.length; len++) {
            byte[] cut = Arrays.copyOf(sig, len);
            assertThrows(ProtocolException.class, () -> WireCodec.decodeSignal(cut), "length " + len);
        }
    }

    @Test
    void wrongVersionMagicKindAndTrailingBytesAreRejected() throws Exception {
        byte[] full = WireCodec.encode(sample());
        assertEquals(WireCodec.VERSION, full[2]);
        for (int other : new int[] {1, WireCodec.VERSION + 1}) { // 1: the caller was the QUIC client
            byte[] v = full.clone();
            v[2] = (byte) other;
            assertTrue(assertThrows(ProtocolException.class, () -> WireCodec.decodeDescription(v)).getMessage()
                    .contains("unsupported version " + other), "version " + other);
            byte[] signal = WireCodec.encode(new Signal.Candidate(host("10.1.2.3", 1234)));
            signal[2] = (byte) other;
            assertThrows(ProtocolException.class, () -> WireCodec.decodeSignal(signal), "signal version " + other);
        }
        byte[] magic = full.clone();
        magic[0] = 'X';
        assertThrows(ProtocolException.class, () -> WireCodec.decodeDescription(magic));
        byte[] kind = full.clone();
        kind[3] = 2;
        assertThrows(ProtocolException.class, () -> WireCodec.decodeDescription(kind));
        byte[] trailing = Arrays.copyOf(full, full.length + 1);
        assertThrows(ProtocolException.class, () -> WireCodec.decodeDescription(trailing));
        assertThrows(ProtocolException.class, () -> WireCodec.decodeSignal(WireCodec.encode(sample())));
        assertThrows(ProtocolException.class, () -> WireCodec.decodeDescription(WireCodec.encode(Signal.END_OF_CANDIDATES)));
        assertThrows(ProtocolException.class, () -> WireCodec.decodeDescription(null));
    }

    @Test
    void oversizeIsRejectedBeforeParsing() {
        assertThrows(ProtocolException.class, () -> WireCodec.decodeDescription(new byte[WireCodec.MAX_DESCRIPTION_BYTES + 1]));
        assertThrows(ProtocolException.class, () -> WireCodec.decodeSignal(new byte[WireCodec.MAX_SIGNAL_BYTES + 1]));
    }

    @Test
    void badFieldValuesAreRejected() throws Exception {
        byte[] full = WireCodec.encode(sample());
        // ufrag length byte is at offset 4; 'ufrag1' starts at 5: put a space into it
        byte[] space = full.clone();
        space[5] = ' ';
        assertThrows(ProtocolException.class, () -> WireCodec.decodeDescription(space));
        // fingerprint length byte follows ufrag and password
        int fpLenAt = 4 + 1 + 6 + 1 + 24;
        assertEquals(32, full[fpLenAt]);
        byte[] fpLen = full.clone();
        fpLen[fpLenAt] = 31;
        assertThrows(ProtocolException.class, () -> WireCodec.decodeDescription(fpLen));
        byte[] count = full.clone();
        count[fpLenAt + 33] = (byte) 200;
        assertThrows(ProtocolException.class, () -> WireCodec.decodeDescription(count));
        // a candidate with port 0
        byte[] sig = WireCodec.encode(new Signal.Candidate(host("10.1.2.3", 1234)));
        byte[] port0 = sig.clone();
        port0[port0.length - 3] = 0;
        port0[port0.length - 2] = 0;
        assertThrows(ProtocolException.class, () -> WireCodec.decodeSignal(port0));
        byte[] family = sig.clone();
        family[4 + 2 + 4 + 1] = 5; // after str8 "1", priority, type
        assertThrows(ProtocolException.class, () -> WireCodec.decodeSignal(family));
    }

    @Test
    void randomGarbageNeverEscapesAsAnotherException() {
        Random r = new Random(42);
        for (int i = 0; i < 20_000; i++) {
            byte[] g = new byte[r.nextInt(300)];
            r.nextBytes(g);
            if (g.length > 4 && r.nextBoolean()) {
                g[0] = 'G';
                g[1] = 'I';
                g[2] = 1;
                g[3] = (byte) (1 + r.nextInt(3));
            }
            try {
                WireCodec.decodeDescription(g);
            } catch (ProtocolException expected) {
                // fine
            }
            try {
                WireCodec.decodeSignal(g);
            } catch (ProtocolException expected) {
                // fine
            }
        }
    }

    @Test
    void mutatedValidMessagesNeverEscapeAsAnotherException() throws Exception {
        byte[] full = WireCodec.encode(sample());
        Random r = new Random(7);
        List<Throwable> unexpected = new ArrayList<>();
        for (int i = 0; i < 20_000; i++) {
            byte[] m = full.clone();
            for (int k = 0; k < 1 + r.nextInt(4); k++) {
                m[r.nextInt(m.length)] = (byte) r.nextInt(256);
            }
            try {
                WireCodec.decodeDescription(m);
            } catch (ProtocolException expected) {
                // fine
            } catch (RuntimeException e) {
                unexpected.add(e);
            }
        }
        assertTrue(unexpected.isEmpty(), "unexpected: " + unexpected);
    }
}
