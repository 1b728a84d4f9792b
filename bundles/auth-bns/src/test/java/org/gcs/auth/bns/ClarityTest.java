package org.gcs.auth.bns;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.Map;
import org.gcs.api.ProtocolException;
import org.junit.jupiter.api.Test;

/** Clarity serialization: the published vectors (../shared/FACTS.md) and bounded, strict decoding. */
class ClarityTest {
    private static final HexFormat HEX = HexFormat.of();

    @Test
    void publishedVectors() {
        assertEquals("0200000004deadbeef", HEX.formatHex(Clarity.buff(HEX.parseHex("deadbeef"))));
        assertEquals("0c000000020362617a0906666f6f62617203", HEX.formatHex(Clarity.tuple(Map.of(
                "foobar", new byte[] {0x03}, "baz", new byte[] {0x09}))), "keys sorted, whatever the map's order");
        StacksAddress a = new StacksAddress(0x00, HEX.parseHex("11deadbeef11ababffff11deadbeef11ababffff"));
        assertEquals("050011deadbeef11ababffff11deadbeef11ababffff", HEX.formatHex(Clarity.principal(a)));
        assertEquals(new Clarity.Ok(new Clarity.Bool(true)), Clarity.decode(HEX.parseHex("0703")), "a real answer");
        Clarity.Tuple t = (Clarity.Tuple) Clarity.decode(HEX.parseHex("0c000000020362617a0906666f6f62617203"));
        assertEquals(new Clarity.None(), t.get("baz"));
        assertEquals(new Clarity.Bool(true), t.get("foobar"));
        assertEquals(new Clarity.Principal(a, null), Clarity.decode(Clarity.principal(a)));
    }

    @Test
    void aNameResolveAnswerDecodes() {
        // (ok {lease-ending-at: (some u100), lease-started-at: u5, owner: SP2J6..., zonefile-hash: 0x00..})
        StacksAddress owner = StacksAddress.parse("SP2J6ZY48GV1EZ5V2V5RB9MP66SW86PYKKNRV9EJ7");
        byte[] u100 = uint(100);
        byte[] answer = concat(new byte[] {0x07}, Clarity.tuple(Map.of(
                "lease-ending-at", concat(new byte[] {0x0a}, u100),
                "lease-started-at", uint(5),
                "owner", Clarity.principal(owner),
                "zonefile-hash", Clarity.buff(new byte[20]))));
        Clarity.Tuple t = (Clarity.Tuple) ((Clarity.Ok) Clarity.decode(answer)).value();
        assertEquals(new Clarity.Some(new Clarity.UInt(BigInteger.valueOf(100))), t.get("lease-ending-at"));
        assertEquals(owner, ((Clarity.Principal) t.get("owner")).address());
        // (err 2013): not found, an int
        byte[] err = concat(new byte[] {0x08, 0x00}, java.nio.ByteBuffer.allocate(16).putLong(8, 2013).array());
        assertEquals(new Clarity.Err(new Clarity.Int(BigInteger.valueOf(2013))), Clarity.decode(err));
        // a contract principal owner
        byte[] contract = concat(new byte[] {0x06, 22}, owner.hash160(), new byte[] {6},
                "escrow".getBytes(StandardCharsets.US_ASCII));
        Clarity.Principal p = (Clarity.Principal) Clarity.decode(contract);
        assertTrue(p.isContract());
        assertEquals("SP2J6ZY48GV1EZ5V2V5RB9MP66SW86PYKKNRV9EJ7.escrow", p.toString());
    }

    @Test
    void malformedValuesAreProtocolErrors() {
        assertThrows(ProtocolException.class, () -> Clarity.decode(HEX.parseHex("02000000ff00")), "length past the end");
        assertThrows(ProtocolException.class, () -> Clarity.decode(HEX.parseHex("0703ff")), "trailing bytes");
        assertThrows(ProtocolException.class, () -> Clarity.decode(HEX.parseHex("ff")), "unknown type");
        assertThrows(ProtocolException.class, () -> Clarity.decode(HEX.parseHex("01")), "truncated");
        assertThrows(ProtocolException.class, () -> Clarity.decode(HEX.parseHex("0bffffffff")), "a huge list");
        byte[] deep = new byte[40];
        java.util.Arrays.fill(deep, (byte) 0x0a);
        deep[39] = 0x09;
        assertInstanceOf(ProtocolException.class, assertThrows(ProtocolException.class, () -> Clarity.decode(deep)));
    }

    private static byte[] uint(long v) {
        return concat(new byte[] {0x01}, java.nio.ByteBuffer.allocate(16).putLong(8, v).array());
    }

    private static byte[] concat(byte[]... parts) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }
}
