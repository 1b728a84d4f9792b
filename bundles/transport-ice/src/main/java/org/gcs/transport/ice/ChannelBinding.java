package org.gcs.transport.ice;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import org.gcs.transport.ice.wire.Description;

/**
 * The channel binding of a session: SHA-256 over a label, both certificate fingerprints and both ICE ufrags, controlling
 * end first, each part length-prefixed. Both ends compute the same value; the daemons sign it to bind the channel to
 * their users (docs/PROTOCOL.md).
 */
final class ChannelBinding {
    private static final byte[] LABEL = "GCS ICE/QUIC channel binding v1".getBytes(StandardCharsets.US_ASCII);

    private ChannelBinding() {
    }

    static byte[] of(Description controlling, Description controlled) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            md.update(LABEL);
            for (byte[] part : new byte[][] {controlling.fingerprint(), controlled.fingerprint(),
                    controlling.ufrag().getBytes(StandardCharsets.US_ASCII),
                    controlled.ufrag().getBytes(StandardCharsets.US_ASCII)}) {
                md.update(ByteBuffer.allocate(4).putInt(part.length).array());
                md.update(part);
            }
            return md.digest();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
