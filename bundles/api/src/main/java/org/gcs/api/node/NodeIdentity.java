package org.gcs.api.node;

import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import org.gcs.api.NodeId;
import org.osgi.annotation.versioning.ProviderType;

/**
 * This GCS node's long-term identity, as a service: the id daemons pin and the DHT places the node by, the key that
 * signs for the node, and the certificate it presents on every TLS connection (to daemons and to other nodes). A
 * routing bundle uses it to authenticate itself to other nodes without importing the node bundle.
 *
 * <p>{@link #id()} is the SHA-256 of {@code certificate().getPublicKey().getEncoded()}, so a node cannot choose its
 * id: any peer recomputes it from the certificate it saw in the TLS handshake.
 */
@ProviderType
public interface NodeIdentity {
    /** This node's id. */
    NodeId id();

    /** The self-signed certificate over the node key (ECDSA P-256); its public key hashes to {@link #id()}. */
    X509Certificate certificate();

    /**
     * The node's private key, for a TLS endpoint that presents {@link #certificate()} (Netty's
     * {@code SslContextBuilder.forServer(key, certificate)} or {@code forClient().keyManager(key, certificate)}).
     * Handed only to bundles inside this node's framework; never sent anywhere.
     */
    PrivateKey privateKey();

    /** Signs {@code data} with the node key ({@code SHA256withECDSA}, DER-encoded signature). */
    byte[] sign(byte[] data);
}
