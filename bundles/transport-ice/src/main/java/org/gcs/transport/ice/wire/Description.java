package org.gcs.transport.ice.wire;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * What one session tells its peer up front: ICE credentials, the SHA-256 fingerprint of its QUIC certificate and the
 * candidates gathered so far.
 */
public record Description(String ufrag, String password, byte[] fingerprint, List<CandidateInfo> candidates) {
    public Description {
        Objects.requireNonNull(ufrag, "ufrag");
        Objects.requireNonNull(password, "password");
        Objects.requireNonNull(fingerprint, "fingerprint");
        if (!WireCodec.isIceChars(ufrag, 4, 255)) {
            throw new IllegalArgumentException("bad ICE ufrag");
        }
        if (!WireCodec.isIceChars(password, 22, 255)) {
            throw new IllegalArgumentException("bad ICE password");
        }
        if (fingerprint.length != WireCodec.FINGERPRINT_LENGTH) {
            throw new IllegalArgumentException("fingerprint must be " + WireCodec.FINGERPRINT_LENGTH + " bytes");
        }
        fingerprint = fingerprint.clone();
        candidates = List.copyOf(candidates);
        if (candidates.size() > WireCodec.MAX_CANDIDATES) {
            throw new IllegalArgumentException("too many candidates: " + candidates.size());
        }
    }

    @Override
    public byte[] fingerprint() {
        return fingerprint.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Description d && ufrag.equals(d.ufrag) && password.equals(d.password)
                && Arrays.equals(fingerprint, d.fingerprint) && candidates.equals(d.candidates);
    }

    @Override
    public int hashCode() {
        return Objects.hash(ufrag, password, Arrays.hashCode(fingerprint), candidates);
    }

    @Override
    public String toString() {
        return "Description[ufrag=" + ufrag + ", candidates=" + candidates + "]";
    }
}
