package org.gcs.routing.kademlia.link;

import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import javax.net.ssl.SSLException;

/** The TLS 1.3-only contexts (JDK provider) of a link endpoint; both ends present their node certificate. */
final class LinkTls {
    private LinkTls() {
    }

    /** The listener's context: requires a client certificate and accepts any self-signed one. */
    static SslContext listener(NodeKeys keys) throws SSLException {
        return SslContextBuilder.forServer(keys.privateKey(), keys.certificate())
                .sslProvider(SslProvider.JDK)
                .protocols("TLSv1.3")
                .clientAuth(ClientAuth.REQUIRE)
                .trustManager(new SelfSignedNodeTrustManager())
                .build();
    }

    /**
     * A dial's context, pinned by {@code trust} to the node dialed. One per dial, which also keeps TLS sessions from
     * being resumed across dials.
     */
    static SslContext dialer(NodeKeys keys, PinnedNodeTrustManager trust) throws SSLException {
        return SslContextBuilder.forClient()
                .sslProvider(SslProvider.JDK)
                .protocols("TLSv1.3")
                .keyManager(keys.privateKey(), keys.certificate())
                .trustManager(trust)
                .endpointIdentificationAlgorithm(null)
                .build();
    }
}
