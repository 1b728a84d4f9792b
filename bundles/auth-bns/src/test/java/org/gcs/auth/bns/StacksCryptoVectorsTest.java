package org.gcs.auth.bns;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import org.gcs.api.AuthenticationException;
import org.junit.jupiter.api.Test;

/** The published vectors of stacks.js and c32check (../shared/FACTS.md), and what follows from them. */
class StacksCryptoVectorsTest {
    private static final HexFormat HEX = HexFormat.of();
    private static final String XYZ = "You are saying that you want to perform action XYZ.";
    private static final String XYZ_SIGNATURE = "29ef6d718235e5fc32a1b90dd8fc7fa9403fa1b55c2dce46374570b7f3a4815d"
            + "0215b8565f29a33ef8132dc0db6b00a5f13d85d6aff5c1171271818b9928928c01";
    private static final String XYZ_KEY = "024cce41b91566d70ec2ed6eb161c6ef9c277bdc034738318ed06f1d5ba09546d6";

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void messageHashesMatchStacksJs() {
        assertEquals("619997693db23de4b92ed152444a578a134143d9ad2c0f4dff2615de9d42ad96",
                HEX.formatHex(StacksMessage.hash(utf8("hello world"))));
        assertEquals("650ff1a80ea3fab019b383d4385fcc52bb4d1cbce4713f3e95889013be3569a5",
                HEX.formatHex(StacksMessage.hash(utf8(XYZ))));
        assertNotEquals(HEX.formatHex(StacksMessage.hash(utf8(XYZ))), HEX.formatHex(StacksMessage.legacyHash(utf8(XYZ))));
    }

    @Test
    void compactSizeIsBitcoins() {
        assertEquals("fc", HEX.formatHex(StacksMessage.compactSize(252)));
        assertEquals("fd1c01", HEX.formatHex(StacksMessage.compactSize(284)));
        assertEquals("fe00000100", HEX.formatHex(StacksMessage.compactSize(65_536)));
        assertEquals("ff0000000001000000", HEX.formatHex(StacksMessage.compactSize(1L << 32)));
    }

    @Test
    void theWalletSignatureRecoversItsKeyAndTestnetAddress() {
        byte[] key = Secp256k1.recover(StacksMessage.hash(utf8(XYZ)), HEX.parseHex(XYZ_SIGNATURE));
        assertEquals(XYZ_KEY, HEX.formatHex(key));
        assertEquals("STGSJA8EMYDBAJDX6Z4ED8CWW071B6NB97SRAM1E", StacksAddress.of(key, false).toString());
    }

    @Test
    void addressesMatchC32check() {
        assertEquals("SPAW66WC3G8WA5F28JVNG1NTRJ6H76E7EN5H6QQD", StacksAddress.of(
                HEX.parseHex("03ef788b3830c00abe8f64f62dc32fc863bc0b2cafeb073b6c8e1c7657d9c2c3ab"), true).toString());
        assertEquals("SP2J6ZY48GV1EZ5V2V5RB9MP66SW86PYKKNRV9EJ7", new StacksAddress(22,
                HEX.parseHex("a46ff88886c2ef9762d970b4d2c63678835bd39d")).toString());
        // the same key uncompressed is another address: only compressed keys are accepted at login
        byte[] uncompressed = Secp256k1.CURVE.getG().multiply(new BigInteger(1,
                HEX.parseHex("edf9aee84d9b7abc145504dde6726c64f369d37ee34ded868fabd876c26570bc"))).normalize().getEncoded(false);
        assertEquals("SPZG6BAY4JVR9RNAB1HY92B7Q208ZYY4HZEA9PX5", StacksAddress.of(uncompressed, true).toString());
        assertFalse(Secp256k1.isCompressedPublicKey(uncompressed));
    }

    @Test
    void addressesParseBackAndWrongOnesAreRefused() {
        for (String a : new String[] {"SP2J6ZY48GV1EZ5V2V5RB9MP66SW86PYKKNRV9EJ7", "STGSJA8EMYDBAJDX6Z4ED8CWW071B6NB97SRAM1E",
                "SPAW66WC3G8WA5F28JVNG1NTRJ6H76E7EN5H6QQD", "SP000000000000000000002Q6VF78"}) {
            StacksAddress parsed = StacksAddress.parse(a);
            assertEquals(a, parsed.toString());
            assertEquals(a.startsWith("SP"), parsed.mainnet());
        }
        assertEquals(StacksAddress.parse("SP2J6ZY48GV1EZ5V2V5RB9MP66SW86PYKKNRV9EJ7"),
                StacksAddress.parse("sp2j6zy48gv1ez5v2v5rb9mp66sw86pykknrv9ej7"), "case does not matter");
        assertThrows(IllegalArgumentException.class, () -> StacksAddress.parse("SP2J6ZY48GV1EZ5V2V5RB9MP66SW86PYKKNRV9EJ8"),
                "one character off: checksum");
        assertThrows(IllegalArgumentException.class, () -> StacksAddress.parse("SP2J6ZY48GV1EZ5V2V5RB9MP66SW86PYKKNRV9EJ7.bns"));
        assertThrows(IllegalArgumentException.class, () -> StacksAddress.parse("1BoatSLRHtKNngkdXEeobR76b53LETtpyT"));
    }

    @Test
    void signaturesAreDeterministicLowSAndRecoverTheirKey() {
        byte[] privateKey = HEX.parseHex("edf9aee84d9b7abc145504dde6726c64f369d37ee34ded868fabd876c26570bc");
        for (int i = 0; i < 50; i++) {
            byte[] hash = StacksMessage.hash(utf8("challenge " + i));
            byte[] sig = Secp256k1.sign(privateKey, hash);
            assertArrayEquals(sig, Secp256k1.sign(privateKey, hash), "RFC 6979: the same signature twice");
            assertTrue(new BigInteger(1, java.util.Arrays.copyOfRange(sig, 32, 64))
                    .compareTo(Secp256k1.CURVE.getN().shiftRight(1)) <= 0, "low s");
            assertTrue(sig[64] == 0 || sig[64] == 1);
            assertArrayEquals(Secp256k1.publicKey(privateKey), Secp256k1.recover(hash, sig));
        }
        assertEquals("03ef788b3830c00abe8f64f62dc32fc863bc0b2cafeb073b6c8e1c7657d9c2c3ab",
                HEX.formatHex(Secp256k1.publicKey(privateKey)));
    }

    @Test
    void malformedSignaturesAreAuthenticationErrors() {
        byte[] hash = StacksMessage.hash(utf8(XYZ));
        byte[] good = HEX.parseHex(XYZ_SIGNATURE);
        assertThrows(AuthenticationException.class, () -> Secp256k1.recover(hash, new byte[64]));
        byte[] badV = good.clone();
        badV[64] = 9;
        assertThrows(AuthenticationException.class, () -> Secp256k1.recover(hash, badV));
        byte[] zeroR = good.clone();
        java.util.Arrays.fill(zeroR, 0, 32, (byte) 0);
        assertThrows(AuthenticationException.class, () -> Secp256k1.recover(hash, zeroR));
        byte[] highS = good.clone();
        byte[] s = Secp256k1.CURVE.getN().subtract(new BigInteger(1, java.util.Arrays.copyOfRange(good, 32, 64)))
                .toByteArray();
        System.arraycopy(s, s.length - 32, highS, 32, 32);
        assertThrows(AuthenticationException.class, () -> Secp256k1.recover(hash, highS), "the malleated twin");
        byte[] v27 = good.clone();
        v27[64] = (byte) (good[64] + 27);
        assertEquals(XYZ_KEY, HEX.formatHex(Secp256k1.recover(hash, v27)), "27/28 read as 0/1");
        byte[] other = StacksMessage.hash(utf8(XYZ + "!"));
        assertNotEquals(XYZ_KEY, HEX.formatHex(Secp256k1.recover(other, good)), "another message: another key");
    }
}
