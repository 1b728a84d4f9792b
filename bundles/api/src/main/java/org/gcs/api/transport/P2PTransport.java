package org.gcs.api.transport;

import java.util.function.Consumer;
import org.osgi.annotation.versioning.ProviderType;

/**
 * Makes peer-to-peer channels. The caller's daemon opens a {@link Role#CONTROLLING} session and sends its
 * {@link PeerSession#localDescription() description} in Connect; the callee's daemon opens a {@link Role#CONTROLLED}
 * session, feeds it the offer and answers with its own description. Everything a session emits later (trickled
 * candidates, end of candidates) goes to {@code signalOut} and must reach the other session's
 * {@link PeerSession#remoteSignal}.
 *
 * <pre>{@code
 * PeerSession s = transport.newSession(new SessionOptions(Role.CONTROLLING, ChannelType.DATA, servers, timeout), sendToPeer);
 * byte[] offer = s.localDescription().join();   // -> Connect.offer
 * s.remoteDescription(answer);                  // <- ConnectResult.answer
 * P2PChannel ch = s.channel().join();
 * }</pre>
 */
@ProviderType
public interface P2PTransport {
    /** Starts gathering for a new session; nothing is sent to the peer until the caller forwards descriptions and signals. */
    PeerSession newSession(SessionOptions options, Consumer<byte[]> signalOut);
}
