package org.gcs.transport.ice;

import io.netty.handler.codec.quic.QuicClientCodecBuilder;
import io.netty.handler.codec.quic.QuicSslContext;
import io.netty.handler.codec.quic.QuicSslContextBuilder;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import org.bouncycastle.crypto.params.Ed25519PrivateKeyParameters;
import org.bouncycastle.crypto.params.Ed25519PublicKeyParameters;
import org.bouncycastle.crypto.signers.Ed25519Signer;
import org.gcs.transport.ice.tls.PinningTrustManager;
import org.gcs.transport.ice.tls.SessionCertificate;

/**
 * Benchmark, not a test: the CPU one end spends per session before any packet moves, in one warm JVM: a session
 * certificate (P-256 key and self-signature), the QUIC TLS context with it and a pinning trust manager, and the QUIC
 * codec; and, for comparison, one Ed25519 signature check over a 600-byte transcript (what the daemons do per signed
 * offer, answer and signal). Prints the median of the last {@code N} of {@code 2N} rounds.
 *
 * <pre>
 * java -cp bundles/transport-ice/target/test-classes:bundles/transport-ice/target/classes:$(cat bundles/transport-ice/target/cp.txt) \
 *      org.gcs.transport.ice.SetupCostBench [N=30]
 * </pre>
 */
public final class SetupCostBench {
    private SetupCostBench() {
    }

    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 30;
        long[][] t = new long[4][n];
        Ed25519PrivateKeyParameters key = new Ed25519PrivateKeyParameters(new java.security.SecureRandom());
        byte[] publicKey = key.generatePublicKey().getEncoded();
        byte[] message = new byte[600];
        Ed25519Signer signer = new Ed25519Signer();
        signer.init(true, key);
        signer.update(message, 0, message.length);
        byte[] signature = signer.generateSignature();
        for (int round = 0; round < 2 * n; round++) {
            long t0 = System.nanoTime();
            SessionCertificate c = SessionCertificate.generate(Duration.ofDays(2));
            long t1 = System.nanoTime();
            QuicSslContext ssl = QuicSslContextBuilder.forClient().keyManager(c.privateKey(), null, c.certificate())
                    .trustManager(new PinningTrustManager(new byte[32])).applicationProtocols("bench").build();
            long t2 = System.nanoTime();
            new QuicClientCodecBuilder().sslContext(ssl).maxIdleTimeout(5000, TimeUnit.MILLISECONDS).build();
            long t3 = System.nanoTime();
            Ed25519Signer verifier = new Ed25519Signer();
            verifier.init(false, new Ed25519PublicKeyParameters(publicKey, 0));
            verifier.update(message, 0, message.length);
            if (!verifier.verifySignature(signature)) {
                throw new IllegalStateException("signature does not verify");
            }
            long t4 = System.nanoTime();
            if (round >= n) {
                t[0][round - n] = t1 - t0;
                t[1][round - n] = t2 - t1;
                t[2][round - n] = t3 - t2;
                t[3][round - n] = t4 - t3;
            }
        }
        String[] names = {"session certificate", "QUIC TLS context", "QUIC codec", "Ed25519 check"};
        for (int i = 0; i < names.length; i++) {
            Arrays.sort(t[i]);
            System.out.printf("%-20s median %.2f ms%n", names[i], t[i][n / 2] / 1e6);
        }
    }
}
