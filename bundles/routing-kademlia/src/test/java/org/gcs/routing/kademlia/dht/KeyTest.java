package org.gcs.routing.kademlia.dht;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HexFormat;
import java.util.SplittableRandom;
import org.gcs.api.NodeId;
import org.gcs.api.UserId;
import org.junit.jupiter.api.Test;

class KeyTest {
    private static Key key(String hexPrefix) {
        StringBuilder hex = new StringBuilder(hexPrefix);
        while (hex.length() < 64) {
            hex.append('0');
        }
        return Key.ofBytes(HexFormat.of().parseHex(hex));
    }

    @Test
    void distanceIsTheXorOfTheBytes() {
        SplittableRandom random = new SplittableRandom(1);
        for (int i = 0; i < 100; i++) {
            byte[] a = new byte[32];
            byte[] b = new byte[32];
            random.nextBytes(a);
            random.nextBytes(b);
            byte[] xor = new byte[32];
            for (int j = 0; j < 32; j++) {
                xor[j] = (byte) (a[j] ^ b[j]);
            }
            assertArrayEquals(xor, Key.ofBytes(a).distance(Key.ofBytes(b)).toBytes());
            assertEquals(Key.ofBytes(a).distance(Key.ofBytes(b)), Key.ofBytes(b).distance(Key.ofBytes(a)));
            assertEquals(key(""), Key.ofBytes(a).distance(Key.ofBytes(a)));
        }
    }

    @Test
    void commonPrefixLengthCountsLeadingEqualBits() {
        Key zero = key("");
        assertEquals(256, zero.commonPrefixLength(zero));
        assertEquals(0, zero.commonPrefixLength(key("80")));
        assertEquals(7, zero.commonPrefixLength(key("01")));
        assertEquals(64, zero.commonPrefixLength(key("00000000000000008")));
        assertEquals(100, zero.commonPrefixLength(key("0000000000000000000000000" + "8")));
        assertEquals(255, zero.commonPrefixLength(key("0".repeat(63) + "1")));
        assertEquals(3, key("ff").commonPrefixLength(key("ef")));
    }

    @Test
    void compareDistanceOrdersByXorNotByValue() {
        Key target = key("80");
        // 0x81.. is at distance 0x01.., 0x7f.. at 0xff..: the numerically farther one is nearer in XOR.
        assertTrue(target.compareDistance(key("81"), key("7f")) < 0);
        assertTrue(target.compareDistance(key("7f"), key("81")) > 0);
        assertEquals(0, target.compareDistance(key("42"), key("42")));
        assertTrue(key("ff").compareTo(key("7f")) > 0, "keys compare as unsigned numbers");
    }

    @Test
    void nodeKeyIsTheIdItselfAndUserKeyIsAPrefixedSha256() {
        byte[] id = new byte[32];
        new SplittableRandom(2).nextBytes(id);
        assertArrayEquals(id, Key.of(NodeId.of(id)).toBytes());
        // sha256("gcs-user:pk:alice"), computed independently
        assertEquals("b26625ca6c15b99437cee7868d48be4dcf7270c133119af6e32dbbd8d5fe6a35",
                Key.ofUser(UserId.parse("pk:alice")).toString());
    }

    @Test
    void randomWithPrefixLandsInTheRequestedBucket() {
        SplittableRandom random = new SplittableRandom(3);
        Key base = Key.random(random);
        for (int cpl = 0; cpl < 256; cpl++) {
            for (int i = 0; i < 5; i++) {
                assertEquals(cpl, base.commonPrefixLength(Key.randomWithPrefix(base, cpl, random)));
            }
        }
        assertThrows(IllegalArgumentException.class, () -> Key.randomWithPrefix(base, 256, random));
        assertThrows(IllegalArgumentException.class, () -> Key.ofBytes(new byte[31]));
    }
}
