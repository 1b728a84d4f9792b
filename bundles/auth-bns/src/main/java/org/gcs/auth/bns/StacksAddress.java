package org.gcs.auth.bns;

import java.math.BigInteger;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.Locale;
import org.bouncycastle.crypto.digests.RIPEMD160Digest;

/**
 * A Stacks standard principal: a version and the hash160 of a public key, written in c32check ({@code SP…} mainnet,
 * {@code ST…} testnet single-signature; {@code SM}, {@code SN} multi-signature). Immutable.
 */
public record StacksAddress(int version, byte[] hash160) {
    public static final int MAINNET_SINGLE_SIG = 22;
    public static final int TESTNET_SINGLE_SIG = 26;
    public static final int MAINNET_MULTI_SIG = 20;
    public static final int TESTNET_MULTI_SIG = 21;
    static final String C32 = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

    public StacksAddress {
        if (version < 0 || version > 31) {
            throw new IllegalArgumentException("a c32 version is 0-31, not " + version);
        }
        if (hash160 == null || hash160.length != 20) {
            throw new IllegalArgumentException("a Stacks address hashes to 20 bytes");
        }
        hash160 = hash160.clone();
    }

    @Override
    public byte[] hash160() {
        return hash160.clone();
    }

    /** The single-signature address of a compressed public key ({@code mainnet}: SP, else ST). */
    public static StacksAddress of(byte[] publicKey, boolean mainnet) {
        return new StacksAddress(mainnet ? MAINNET_SINGLE_SIG : TESTNET_SINGLE_SIG, hash160(publicKey));
    }

    /**
     * Parses a c32check address ({@code S} + version character + c32 of hash160 and checksum). Lower case and the
     * characters c32 reads as others (O as 0, L and I as 1) are accepted, as c32check does.
     *
     * @throws IllegalArgumentException for anything else, a wrong checksum included
     */
    public static StacksAddress parse(String text) {
        if (text == null || text.length() < 5 || text.length() > 60) {
            throw new IllegalArgumentException("not a Stacks address: " + text);
        }
        String s = text.toUpperCase(Locale.ROOT).replace('O', '0').replace('L', '1').replace('I', '1');
        if (s.charAt(0) != 'S') {
            throw new IllegalArgumentException("a Stacks address starts with S: " + text);
        }
        int version = C32.indexOf(s.charAt(1));
        byte[] payload = c32decode(s.substring(2));
        if (version < 0 || payload == null || payload.length != 24) {
            throw new IllegalArgumentException("not a Stacks address: " + text);
        }
        byte[] hash = Arrays.copyOf(payload, 20);
        if (!Arrays.equals(checksum(version, hash), Arrays.copyOfRange(payload, 20, 24))) {
            throw new IllegalArgumentException("wrong checksum in Stacks address " + text);
        }
        return new StacksAddress(version, hash);
    }

    public boolean mainnet() {
        return version == MAINNET_SINGLE_SIG || version == MAINNET_MULTI_SIG;
    }

    @Override
    public String toString() {
        byte[] payload = new byte[24];
        System.arraycopy(hash160, 0, payload, 0, 20);
        System.arraycopy(checksum(version, hash160), 0, payload, 20, 4);
        return "S" + C32.charAt(version) + c32encode(payload);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof StacksAddress a && a.version == version && Arrays.equals(a.hash160, hash160);
    }

    @Override
    public int hashCode() {
        return 31 * version + Arrays.hashCode(hash160);
    }

    /** RIPEMD-160 of SHA-256. */
    static byte[] hash160(byte[] data) {
        byte[] sha = sha256(data);
        RIPEMD160Digest ripemd = new RIPEMD160Digest();
        ripemd.update(sha, 0, sha.length);
        byte[] out = new byte[20];
        ripemd.doFinal(out, 0);
        return out;
    }

    private static byte[] checksum(int version, byte[] hash) {
        byte[] data = new byte[21];
        data[0] = (byte) version;
        System.arraycopy(hash, 0, data, 1, 20);
        return Arrays.copyOf(sha256(sha256(data)), 4);
    }

    private static byte[] sha256(byte[] data) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(data);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** c32 of {@code bytes} as a big-endian number, with one {@code 0} for each leading zero byte (as c32check). */
    static String c32encode(byte[] bytes) {
        int zeros = 0;
        while (zeros < bytes.length && bytes[zeros] == 0) {
            zeros++;
        }
        StringBuilder digits = new StringBuilder();
        BigInteger n = new BigInteger(1, bytes);
        BigInteger base = BigInteger.valueOf(32);
        while (n.signum() > 0) {
            BigInteger[] qr = n.divideAndRemainder(base);
            digits.append(C32.charAt(qr[1].intValue()));
            n = qr[0];
        }
        return "0".repeat(zeros) + digits.reverse();
    }

    /** The inverse of {@link #c32encode}; {@code null} for a character outside the alphabet. */
    static byte[] c32decode(String text) {
        int zeros = 0;
        while (zeros < text.length() && text.charAt(zeros) == '0') {
            zeros++;
        }
        BigInteger n = BigInteger.ZERO;
        for (int i = zeros; i < text.length(); i++) {
            int d = C32.indexOf(text.charAt(i));
            if (d < 0) {
                return null;
            }
            n = n.shiftLeft(5).or(BigInteger.valueOf(d));
        }
        byte[] magnitude = n.signum() == 0 ? new byte[0] : n.toByteArray();
        if (magnitude.length > 1 && magnitude[0] == 0) {
            magnitude = Arrays.copyOfRange(magnitude, 1, magnitude.length);
        }
        byte[] out = new byte[zeros + magnitude.length];
        System.arraycopy(magnitude, 0, out, zeros, magnitude.length);
        return out;
    }
}
