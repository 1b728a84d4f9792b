package org.gcs.transport.ice.wire;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.gcs.api.ProtocolException;

/**
 * Encodes and decodes {@link Description}s and {@link Signal}s. The format is private to this transport (peers run the
 * same code); every message starts with a header that lets it evolve:
 *
 * <pre>
 * message     = magic:"GI" version:u8(=2) kind:u8 body          (no trailing bytes)
 * kind        = 1 description | 2 candidate signal | 3 end-of-candidates signal (empty body)
 * description = ufrag:str8 password:str8 fplen:u8(=32) fp:32 count:u8 candidate*count
 * candidate   = foundation:str8 priority:u32 type:u8 addr port:u16 hasRelated:u8 [addr port:u16]
 * addr        = family:u8(4|6) bytes:4|16
 * str8        = len:u8 ascii-ice-chars (ALPHA / DIGIT / "+" / "/")
 * </pre>
 *
 * Versions: 2 has the callee as QUIC client (IceSession). 1 had the caller as client, with the same bytes otherwise;
 * two such ends would both wait for, or both start, the handshake until the connect timed out, so a peer of another
 * version is refused at its first message instead.
 *
 * <p>Limits: descriptions at most {@value #MAX_DESCRIPTION_BYTES} bytes and {@value #MAX_CANDIDATES} candidates, signals
 * at most {@value #MAX_SIGNAL_BYTES} bytes. Anything else (truncated, wrong magic or version, oversize, bad values,
 * trailing bytes) is rejected with {@link ProtocolException}.
 */
public final class WireCodec {
    public static final int VERSION = 2;
    public static final int FINGERPRINT_LENGTH = 32;
    public static final int MAX_CANDIDATES = 32;
    public static final int MAX_FOUNDATION = 32;
    public static final int MAX_DESCRIPTION_BYTES = 4096;
    public static final int MAX_SIGNAL_BYTES = 256;

    private static final byte MAGIC0 = 'G';
    private static final byte MAGIC1 = 'I';
    private static final int KIND_DESCRIPTION = 1;
    private static final int KIND_CANDIDATE = 2;
    private static final int KIND_END_OF_CANDIDATES = 3;

    private WireCodec() {
    }

    public static byte[] encode(Description d) {
        ByteBuffer b = ByteBuffer.allocate(MAX_DESCRIPTION_BYTES);
        header(b, KIND_DESCRIPTION);
        str8(b, d.ufrag());
        str8(b, d.password());
        byte[] fp = d.fingerprint();
        b.put((byte) fp.length).put(fp);
        b.put((byte) d.candidates().size());
        for (CandidateInfo c : d.candidates()) {
            candidate(b, c);
        }
        return toArray(b);
    }

    public static byte[] encode(Signal s) {
        ByteBuffer b = ByteBuffer.allocate(MAX_SIGNAL_BYTES);
        if (s instanceof Signal.Candidate c) {
            header(b, KIND_CANDIDATE);
            candidate(b, c.candidate());
        } else {
            header(b, KIND_END_OF_CANDIDATES);
        }
        return toArray(b);
    }

    public static Description decodeDescription(byte[] bytes) {
        ByteBuffer b = open(bytes, MAX_DESCRIPTION_BYTES, "description");
        try {
            int kind = header(b);
            if (kind != KIND_DESCRIPTION) {
                throw new ProtocolException("not a description (kind " + kind + ")");
            }
            String ufrag = readStr8(b, "ufrag");
            String pwd = readStr8(b, "password");
            int fpLen = Byte.toUnsignedInt(b.get());
            if (fpLen != FINGERPRINT_LENGTH) {
                throw new ProtocolException("fingerprint length " + fpLen + ", expected " + FINGERPRINT_LENGTH);
            }
            byte[] fp = new byte[fpLen];
            b.get(fp);
            int count = Byte.toUnsignedInt(b.get());
            if (count > MAX_CANDIDATES) {
                throw new ProtocolException("too many candidates: " + count);
            }
            List<CandidateInfo> candidates = new ArrayList<>(count);
            for (int i = 0; i < count; i++) {
                candidates.add(readCandidate(b));
            }
            end(b);
            return new Description(ufrag, pwd, fp, candidates);
        } catch (BufferUnderflowException e) {
            throw new ProtocolException("truncated description", e);
        } catch (IllegalArgumentException e) {
            throw new ProtocolException("invalid description: " + e.getMessage(), e);
        }
    }

    public static Signal decodeSignal(byte[] bytes) {
        ByteBuffer b = open(bytes, MAX_SIGNAL_BYTES, "signal");
        try {
            int kind = header(b);
            Signal s = switch (kind) {
                case KIND_CANDIDATE -> new Signal.Candidate(readCandidate(b));
                case KIND_END_OF_CANDIDATES -> Signal.END_OF_CANDIDATES;
                default -> throw new ProtocolException("unknown signal kind " + kind);
            };
            end(b);
            return s;
        } catch (BufferUnderflowException e) {
            throw new ProtocolException("truncated signal", e);
        } catch (IllegalArgumentException e) {
            throw new ProtocolException("invalid signal: " + e.getMessage(), e);
        }
    }

    /** True if {@code s} has {@code min..max} characters, all ICE chars (RFC 8445: ALPHA / DIGIT / "+" / "/"). */
    static boolean isIceChars(String s, int min, int max) {
        if (s.length() < min || s.length() > max) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '+' || c == '/';
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    private static ByteBuffer open(byte[] bytes, int max, String what) {
        if (bytes == null) {
            throw new ProtocolException("missing " + what);
        }
        if (bytes.length > max) {
            throw new ProtocolException(what + " too large: " + bytes.length + " > " + max + " bytes");
        }
        return ByteBuffer.wrap(bytes).asReadOnlyBuffer();
    }

    private static void header(ByteBuffer b, int kind) {
        b.put(MAGIC0).put(MAGIC1).put((byte) VERSION).put((byte) kind);
    }

    private static int header(ByteBuffer b) {
        if (b.get() != MAGIC0 || b.get() != MAGIC1) {
            throw new ProtocolException("bad magic: not a GCS ICE message");
        }
        int version = Byte.toUnsignedInt(b.get());
        if (version != VERSION) {
            throw new ProtocolException("unsupported version " + version + " (supported: " + VERSION
                    + "; the other device runs a GCS release with another transport wire format)");
        }
        return Byte.toUnsignedInt(b.get());
    }

    private static void end(ByteBuffer b) {
        if (b.hasRemaining()) {
            throw new ProtocolException(b.remaining() + " trailing bytes");
        }
    }

    private static void str8(ByteBuffer b, String s) {
        byte[] a = s.getBytes(StandardCharsets.US_ASCII);
        b.put((byte) a.length).put(a);
    }

    private static String readStr8(ByteBuffer b, String what) {
        int len = Byte.toUnsignedInt(b.get());
        byte[] a = new byte[len];
        b.get(a);
        String s = new String(a, StandardCharsets.US_ASCII);
        if (!isIceChars(s, 1, 255)) {
            throw new ProtocolException("bad characters in " + what);
        }
        return s;
    }

    private static void candidate(ByteBuffer b, CandidateInfo c) {
        str8(b, c.foundation());
        b.putInt((int) c.priority());
        b.put((byte) c.type().code);
        address(b, c.address(), c.port());
        if (c.relatedAddress() == null) {
            b.put((byte) 0);
        } else {
            b.put((byte) 1);
            address(b, c.relatedAddress(), c.relatedPort());
        }
    }

    private static CandidateInfo readCandidate(ByteBuffer b) {
        String foundation = readStr8(b, "foundation");
        long priority = Integer.toUnsignedLong(b.getInt());
        int typeCode = Byte.toUnsignedInt(b.get());
        CandidateInfo.Type type = CandidateInfo.Type.ofCode(typeCode);
        if (type == null) {
            throw new ProtocolException("unknown candidate type " + typeCode);
        }
        InetAddress addr = readAddress(b);
        int port = Short.toUnsignedInt(b.getShort());
        InetAddress related = null;
        int relatedPort = 0;
        int hasRelated = Byte.toUnsignedInt(b.get());
        if (hasRelated == 1) {
            related = readAddress(b);
            relatedPort = Short.toUnsignedInt(b.getShort());
        } else if (hasRelated != 0) {
            throw new ProtocolException("bad related-address flag " + hasRelated);
        }
        return new CandidateInfo(foundation, priority, type, addr, port, related, relatedPort);
    }

    private static void address(ByteBuffer b, InetAddress a, int port) {
        byte[] raw = a.getAddress();
        b.put((byte) (raw.length == 4 ? 4 : 6)).put(raw);
        b.putShort((short) port);
    }

    private static InetAddress readAddress(ByteBuffer b) {
        int family = Byte.toUnsignedInt(b.get());
        byte[] raw = switch (family) {
            case 4 -> new byte[4];
            case 6 -> new byte[16];
            default -> throw new ProtocolException("unknown address family " + family);
        };
        b.get(raw);
        try {
            return InetAddress.getByAddress(raw);
        } catch (UnknownHostException e) {
            throw new ProtocolException("bad address", e);
        }
    }

    private static byte[] toArray(ByteBuffer b) {
        byte[] out = new byte[b.position()];
        b.flip();
        b.get(out);
        return out;
    }
}
