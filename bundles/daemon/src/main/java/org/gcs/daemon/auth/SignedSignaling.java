package org.gcs.daemon.auth;

import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Function;
import java.util.function.LongSupplier;
import org.gcs.api.AuthenticationException;
import org.gcs.api.UserId;
import org.gcs.api.auth.AuthProvider;
import org.gcs.api.auth.AuthTranscript;
import org.gcs.api.auth.UserCredential;

/**
 * Signs this user's offers and answers and checks the peer's (docs/PROTOCOL.md, "Signed signaling"). An offer is
 * signed over {@link AuthTranscript#connectOffer}, an answer over {@link AuthTranscript#connectAnswer}, which binds it
 * to the hash of that offer's transcript. Both carry the session certificate fingerprint inside the transport
 * description, and the secure channel pins that fingerprint: once its handshake completes, each end has proven it
 * holds the key its user signed for, in this channel only, without an extra round trip.
 *
 * <p>Peers are checked with the {@link AuthProvider} of their id's scheme; every failure is an
 * {@link AuthenticationException} saying why.
 *
 * <pre>{@code
 * SignedSignaling auth = new SignedSignaling(credential, providers::get, replayGuard, System::currentTimeMillis);
 * SignedSignaling.SignedOffer signed = auth.signOffer(connection, offer);          // caller, into Connect
 * auth.verifyOffer(connection, ts, offer, signature, callerKey).join();             // callee
 * }</pre>
 */
public final class SignedSignaling {
    /** What goes into Connect besides the offer, and the hash the answer must be bound to. */
    public record SignedOffer(byte[] signature, byte[] publicKey, long timestampMillis, byte[] transcriptHash) {
    }

    private final UserCredential self;
    private final Function<String, AuthProvider> providers;
    private final ReplayGuard replay;
    private final LongSupplier clockMillis;
    private final java.time.Duration checkTimeout;

    /**
     * @param providers the verifier of a scheme, or null if none is installed
     */
    public SignedSignaling(UserCredential self, Function<String, AuthProvider> providers, ReplayGuard replay,
            LongSupplier clockMillis) {
        this(self, providers, replay, clockMillis, CHECK_TIMEOUT);
    }

    /** As above, with {@code checkTimeout} instead of {@link #CHECK_TIMEOUT} (tests). */
    public SignedSignaling(UserCredential self, Function<String, AuthProvider> providers, ReplayGuard replay,
            LongSupplier clockMillis, java.time.Duration checkTimeout) {
        this.checkTimeout = Objects.requireNonNull(checkTimeout, "checkTimeout");
        this.self = Objects.requireNonNull(self, "self");
        this.providers = Objects.requireNonNull(providers, "providers");
        this.replay = Objects.requireNonNull(replay, "replay");
        this.clockMillis = Objects.requireNonNull(clockMillis, "clockMillis");
    }

    /** The caller signs its offer now. */
    public SignedOffer signOffer(AuthTranscript.Connection connection, byte[] offer) {
        long now = clockMillis.getAsLong();
        byte[] transcript = AuthTranscript.connectOffer(connection, now, offer);
        return new SignedOffer(self.sign(transcript), self.publicKey(), now, AuthTranscript.hash(transcript));
    }

    /** The hash of the offer transcript as the callee reconstructs it from a ConnectRequest. */
    public static byte[] offerHash(AuthTranscript.Connection connection, long timestampMillis, byte[] offer) {
        return AuthTranscript.hash(AuthTranscript.connectOffer(connection, timestampMillis, offer));
    }

    /**
     * The callee checks the caller's offer: signed by the caller named in {@code connection} with a key her scheme
     * accepts, over exactly these ids, this timestamp and this offer; then that it is neither stale nor replayed.
     */
    public CompletableFuture<Void> verifyOffer(AuthTranscript.Connection connection, long timestampMillis, byte[] offer,
            byte[] signature, byte[] publicKey) {
        byte[] transcript = AuthTranscript.connectOffer(connection, timestampMillis, offer);
        return verify("offer", connection.callerUser(), publicKey, transcript, signature).thenRun(() -> {
            String problem = replay.check(connection.connectionId(), timestampMillis);
            if (problem != null) {
                throw new CompletionException(new AuthenticationException(problem));
            }
        });
    }

    /** The callee signs its answer to the offer whose transcript hashes to {@code offerHash}. */
    public byte[] signAnswer(AuthTranscript.Connection connection, byte[] offerHash, boolean deferredDecision, byte[] answer) {
        return self.sign(AuthTranscript.connectAnswer(connection, offerHash, deferredDecision, answer));
    }

    /** This user's signature over one trickled signal ({@link AuthTranscript#signal}). */
    public byte[] signSignal(byte[] connectionId, boolean fromCaller, long sequence, byte[] payload) {
        return self.sign(AuthTranscript.signal(connectionId, fromCaller, sequence, payload));
    }

    /**
     * Checks a trickled signal against the peer's key, which her verified offer or answer already showed to own her id.
     */
    public CompletableFuture<Void> verifySignal(UserId peer, byte[] peerPublicKey, byte[] connectionId, boolean fromCaller,
            long sequence, byte[] payload, byte[] signature) {
        return verify("signal " + sequence, peer, peerPublicKey, AuthTranscript.signal(connectionId, fromCaller, sequence,
                payload), signature);
    }

    /** This user's public key, sent along with every signature. */
    public byte[] publicKey() {
        return self.publicKey();
    }

    /**
     * The caller checks the answer: signed by the callee she asked for ({@code connection} is the caller's own view),
     * bound to her own offer.
     */
    public CompletableFuture<Void> verifyAnswer(AuthTranscript.Connection connection, byte[] offerHash,
            boolean deferredDecision, byte[] answer, byte[] signature, byte[] publicKey) {
        return verify("answer", connection.calleeUser(), publicKey,
                AuthTranscript.connectAnswer(connection, offerHash, deferredDecision, answer), signature);
    }

    /** The longest one check by an {@code AuthProvider} may take; after it the check has failed. */
    public static final java.time.Duration CHECK_TIMEOUT = java.time.Duration.ofSeconds(10);

    private CompletableFuture<Void> verify(String what, UserId signer, byte[] publicKey, byte[] transcript, byte[] signature) {
        if (signature.length == 0 || publicKey.length == 0) {
            return failed("the " + what + " of " + signer + " is not signed");
        }
        AuthProvider provider = providers.apply(signer.scheme());
        if (provider == null) {
            return failed("no verifier for scheme " + signer.scheme() + " to check the " + what + " of " + signer);
        }
        CompletableFuture<Void> check;
        try {
            check = provider.verify(signer, publicKey, transcript, signature);
        } catch (RuntimeException e) {
            check = CompletableFuture.failedFuture(e);
        }
        if (check == null) {
            check = failed("the verifier for scheme " + signer.scheme() + " answered nothing");
        }
        // a provider that never answers (an identity lookup that hangs) must not hold the connect forever
        check = check.copy().orTimeout(checkTimeout.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
        return check.handle((ok, err) -> {
            if (err == null) {
                return null;
            }
            Throwable cause = err instanceof CompletionException && err.getCause() != null ? err.getCause() : err;
            throw new CompletionException(new AuthenticationException("the " + what + " is not signed by " + signer + ": "
                    + (cause.getMessage() == null ? cause.toString() : cause.getMessage()), cause));
        });
    }

    private static CompletableFuture<Void> failed(String message) {
        return CompletableFuture.failedFuture(new AuthenticationException(message));
    }
}
