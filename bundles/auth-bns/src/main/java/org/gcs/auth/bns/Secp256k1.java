package org.gcs.auth.bns;

import java.math.BigInteger;
import java.util.Arrays;
import org.bouncycastle.asn1.x9.X9ECParameters;
import org.bouncycastle.asn1.x9.X9IntegerConverter;
import org.bouncycastle.crypto.digests.SHA256Digest;
import org.bouncycastle.crypto.ec.CustomNamedCurves;
import org.bouncycastle.crypto.params.ECDomainParameters;
import org.bouncycastle.crypto.params.ECPrivateKeyParameters;
import org.bouncycastle.crypto.signers.ECDSASigner;
import org.bouncycastle.crypto.signers.HMacDSAKCalculator;
import org.bouncycastle.math.ec.ECAlgorithms;
import org.bouncycastle.math.ec.ECPoint;
import org.gcs.api.AuthenticationException;

/**
 * secp256k1 as Stacks wallets use it: RFC 6979 deterministic signatures with low s, in the recoverable form
 * {@code r(32) ‖ s(32) ‖ v(1)} ({@code v} the recovery id 0 or 1), and recovery of the compressed 33-byte public key
 * from a signature and the hash it signs (SEC 1 v2, 4.1.6). The curve arithmetic is Bouncy Castle's.
 */
public final class Secp256k1 {
    /** Bytes of a recoverable signature. */
    public static final int SIGNATURE_BYTES = 65;
    /** Bytes of a compressed public key. */
    public static final int PUBLIC_KEY_BYTES = 33;
    private static final X9ECParameters PARAMS = CustomNamedCurves.getByName("secp256k1");
    static final ECDomainParameters CURVE = new ECDomainParameters(PARAMS.getCurve(), PARAMS.getG(), PARAMS.getN(),
            PARAMS.getH());
    private static final BigInteger N = CURVE.getN();
    private static final BigInteger HALF_N = N.shiftRight(1);
    private static final BigInteger PRIME = CURVE.getCurve().getField().getCharacteristic();

    private Secp256k1() {
    }

    /** The compressed public key of {@code privateKey} (32 bytes, big-endian, in [1, n-1]). */
    public static byte[] publicKey(byte[] privateKey) {
        return CURVE.getG().multiply(scalar(privateKey)).normalize().getEncoded(true);
    }

    /** Signs a 32-byte {@code hash}: {@code r ‖ s ‖ v} with low s (RFC 6979 nonce, HMAC-SHA256). */
    public static byte[] sign(byte[] privateKey, byte[] hash) {
        requireHash(hash);
        BigInteger d = scalar(privateKey);
        ECDSASigner signer = new ECDSASigner(new HMacDSAKCalculator(new SHA256Digest()));
        signer.init(true, new ECPrivateKeyParameters(d, CURVE));
        BigInteger[] rs = signer.generateSignature(hash);
        BigInteger r = rs[0];
        BigInteger s = rs[1].compareTo(HALF_N) > 0 ? N.subtract(rs[1]) : rs[1];
        byte[] expected = CURVE.getG().multiply(d).normalize().getEncoded(true);
        for (int v = 0; v < 4; v++) {
            byte[] q = recover(hash, r, s, v);
            if (q != null && Arrays.equals(q, expected)) {
                byte[] out = new byte[SIGNATURE_BYTES];
                System.arraycopy(unsigned32(r), 0, out, 0, 32);
                System.arraycopy(unsigned32(s), 0, out, 32, 32);
                out[64] = (byte) v;
                return out;
            }
        }
        throw new IllegalStateException("no recovery id reproduces the signing key");
    }

    /**
     * The compressed public key that made {@code signature} over {@code hash}.
     *
     * @throws AuthenticationException when the signature is malformed (length, r or s out of range, s not low, a
     *     recovery id other than 0-3 or 27-30) or recovers no key
     */
    public static byte[] recover(byte[] hash, byte[] signature) {
        requireHash(hash);
        if (signature == null || signature.length != SIGNATURE_BYTES) {
            throw new AuthenticationException("a secp256k1 signature has " + SIGNATURE_BYTES + " bytes (r, s, v), not "
                    + (signature == null ? 0 : signature.length));
        }
        BigInteger r = new BigInteger(1, Arrays.copyOfRange(signature, 0, 32));
        BigInteger s = new BigInteger(1, Arrays.copyOfRange(signature, 32, 64));
        int v = signature[64] & 0xff;
        if (v >= 27 && v <= 30) {
            v -= 27; // the Bitcoin message convention some wallets still use
        }
        if (v > 3) {
            throw new AuthenticationException("recovery id " + (signature[64] & 0xff) + " is not 0-3");
        }
        if (r.signum() == 0 || r.compareTo(N) >= 0 || s.signum() == 0 || s.compareTo(N) >= 0) {
            throw new AuthenticationException("signature values out of range");
        }
        if (s.compareTo(HALF_N) > 0) {
            throw new AuthenticationException("signature with a high s (not canonical)");
        }
        byte[] q = recover(hash, r, s, v);
        if (q == null) {
            throw new AuthenticationException("the signature recovers no public key");
        }
        return q;
    }

    private static byte[] recover(byte[] hash, BigInteger r, BigInteger s, int recId) {
        BigInteger x = r.add(N.multiply(BigInteger.valueOf(recId / 2)));
        if (x.compareTo(PRIME) >= 0) {
            return null;
        }
        X9IntegerConverter converter = new X9IntegerConverter();
        byte[] encoded = converter.integerToBytes(x, 1 + converter.getByteLength(CURVE.getCurve()));
        encoded[0] = (byte) ((recId & 1) == 1 ? 0x03 : 0x02);
        ECPoint point;
        try {
            point = CURVE.getCurve().decodePoint(encoded);
        } catch (IllegalArgumentException notOnCurve) {
            return null;
        }
        if (!point.multiply(N).isInfinity()) {
            return null;
        }
        BigInteger e = new BigInteger(1, hash);
        BigInteger rInv = r.modInverse(N);
        BigInteger minusE = BigInteger.ZERO.subtract(e).mod(N);
        ECPoint q = ECAlgorithms.sumOfTwoMultiplies(CURVE.getG(), rInv.multiply(minusE).mod(N), point,
                rInv.multiply(s).mod(N)).normalize();
        return q.isInfinity() ? null : q.getEncoded(true);
    }

    /** Whether {@code publicKey} is a compressed point on the curve. */
    public static boolean isCompressedPublicKey(byte[] publicKey) {
        if (publicKey == null || publicKey.length != PUBLIC_KEY_BYTES || (publicKey[0] != 2 && publicKey[0] != 3)) {
            return false;
        }
        try {
            return CURVE.getCurve().decodePoint(publicKey).isValid();
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private static BigInteger scalar(byte[] privateKey) {
        if (privateKey == null || privateKey.length != 32) {
            throw new IllegalArgumentException("a secp256k1 private key has 32 bytes");
        }
        BigInteger d = new BigInteger(1, privateKey);
        if (d.signum() == 0 || d.compareTo(N) >= 0) {
            throw new IllegalArgumentException("private key out of range");
        }
        return d;
    }

    private static void requireHash(byte[] hash) {
        if (hash == null || hash.length != 32) {
            throw new IllegalArgumentException("a signed hash has 32 bytes");
        }
    }

    private static byte[] unsigned32(BigInteger v) {
        byte[] b = v.toByteArray();
        byte[] out = new byte[32];
        int copy = Math.min(32, b.length);
        System.arraycopy(b, b.length - copy, out, 32 - copy, copy);
        return out;
    }
}
