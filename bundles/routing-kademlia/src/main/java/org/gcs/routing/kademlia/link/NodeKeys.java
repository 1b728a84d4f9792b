package org.gcs.routing.kademlia.link;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.util.Objects;
import org.gcs.api.NodeId;

/**
 * What a node presents on its links: its private key and the self-signed certificate over the matching public key.
 * The node's {@link NodeId} is the SHA-256 of that certificate's SubjectPublicKeyInfo, as the daemons pin it. Immutable;
 * the constructor checks that the key and the certificate belong together (ECDSA, EdDSA or RSA keys).
 */
public final class NodeKeys {
    private final PrivateKey privateKey;
    private final X509Certificate certificate;
    private final NodeId id;

    /** @throws IllegalArgumentException if the key is not the certificate's, or of an unsupported algorithm */
    public NodeKeys(PrivateKey privateKey, X509Certificate certificate) {
        this.privateKey = Objects.requireNonNull(privateKey, "privateKey");
        this.certificate = Objects.requireNonNull(certificate, "certificate");
        requireMatchingPair(privateKey, certificate);
        this.id = NodeId.fromPublicKey(certificate.getPublicKey().getEncoded());
    }

    public NodeId id() {
        return id;
    }

    public PrivateKey privateKey() {
        return privateKey;
    }

    public X509Certificate certificate() {
        return certificate;
    }

    @Override
    public String toString() {
        return "NodeKeys[" + id + "]";
    }

    private static void requireMatchingPair(PrivateKey key, X509Certificate certificate) {
        String algorithm = switch (key.getAlgorithm()) {
            case "EC" -> "SHA256withECDSA";
            case "RSA" -> "SHA256withRSA";
            case "EdDSA", "Ed25519", "Ed448" -> key.getAlgorithm();
            default -> throw new IllegalArgumentException("unsupported node key algorithm " + key.getAlgorithm()
                    + " (use ECDSA P-256)");
        };
        byte[] probe = "gcs link key check".getBytes(StandardCharsets.US_ASCII);
        try {
            Signature signer = Signature.getInstance(algorithm);
            signer.initSign(key);
            signer.update(probe);
            byte[] signature = signer.sign();
            Signature verifier = Signature.getInstance(algorithm);
            verifier.initVerify(certificate.getPublicKey());
            verifier.update(probe);
            if (!verifier.verify(signature)) {
                throw new IllegalArgumentException("the node key does not match the node certificate");
            }
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("the node key does not match the node certificate: " + e.getMessage(), e);
        }
    }
}
