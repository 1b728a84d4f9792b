package org.gcs.daemon.auth;

import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicLong;
import org.gcs.api.AppId;
import org.gcs.api.AuthenticationException;
import org.gcs.api.DeviceId;
import org.gcs.api.UserId;
import org.gcs.api.auth.AuthTranscript;
import org.gcs.api.auth.UserCredential;
import org.gcs.api.transport.ChannelType;
import org.gcs.daemon.testing.TestCredentials;
import org.junit.jupiter.api.Test;

class SignedSignalingTest {
    private final AtomicLong now = new AtomicLong(5_000_000);
    private final UserCredential alice = TestCredentials.newCredential();
    private final UserCredential bob = TestCredentials.newCredential();
    private final UserCredential mallory = TestCredentials.newCredential();
    private final SignedSignaling aliceSide = side(alice);
    private final SignedSignaling bobSide = side(bob);
    private final byte[] offer = "offer with fingerprint A".getBytes();
    private final byte[] answer = "answer with fingerprint B".getBytes();

    private SignedSignaling side(UserCredential who) {
        return new SignedSignaling(who, scheme -> scheme.equals("pk") ? TestCredentials.authProvider() : null,
                new ReplayGuard(Duration.ofMinutes(2), 100, now::get), now::get);
    }

    private AuthTranscript.Connection call(byte idByte, UserId caller, String callerApp) {
        byte[] id = new byte[16];
        id[0] = idByte;
        return new AuthTranscript.Connection(id, caller, DeviceId.of("laptop"), AppId.of(callerApp), bob.user(),
                DeviceId.of("phone"), AppId.of("chat"), ChannelType.DATA);
    }

    private static void assertAuthFailure(CompletableFuture<Void> f, String expected) {
        CompletionException e = assertThrows(CompletionException.class, f::join);
        assertInstanceOf(AuthenticationException.class, e.getCause());
        assertTrue(e.getCause().getMessage().contains(expected), e.getCause().getMessage());
    }

    @Test
    void signedOfferAndAnswerVerifyBothWays() {
        AuthTranscript.Connection c = call((byte) 1, alice.user(), "chat");
        SignedSignaling.SignedOffer signed = aliceSide.signOffer(c, offer);
        bobSide.verifyOffer(c, signed.timestampMillis(), offer, signed.signature(), signed.publicKey()).join();
        byte[] hash = SignedSignaling.offerHash(c, signed.timestampMillis(), offer);
        byte[] answerSig = bobSide.signAnswer(c, hash, true, answer);
        aliceSide.verifyAnswer(c, signed.transcriptHash(), true, answer, answerSig, bobSide.publicKey()).join();
    }

    @Test
    void anyChangeByTheNodeFailsTheOffer() {
        AuthTranscript.Connection c = call((byte) 1, alice.user(), "chat");
        SignedSignaling.SignedOffer s = aliceSide.signOffer(c, offer);
        // the node claims another caller (her key does not own that id) or another app
        assertAuthFailure(bobSide.verifyOffer(call((byte) 1, mallory.user(), "chat"), s.timestampMillis(), offer,
                s.signature(), s.publicKey()), "not signed by " + mallory.user());
        assertAuthFailure(bobSide.verifyOffer(call((byte) 1, alice.user(), "files"), s.timestampMillis(), offer,
                s.signature(), s.publicKey()), "bad signature");
        // swapped fingerprint inside the offer, shifted timestamp, another connection id
        byte[] swapped = "offer with fingerprint M".getBytes();
        assertAuthFailure(bobSide.verifyOffer(c, s.timestampMillis(), swapped, s.signature(), s.publicKey()), "bad signature");
        assertAuthFailure(bobSide.verifyOffer(c, s.timestampMillis() + 1, offer, s.signature(), s.publicKey()), "bad signature");
        assertAuthFailure(bobSide.verifyOffer(call((byte) 2, alice.user(), "chat"), s.timestampMillis(), offer,
                s.signature(), s.publicKey()), "bad signature");
        // mallory re-signs as herself but claims alice
        SignedSignaling.SignedOffer m = side(mallory).signOffer(c, offer);
        assertAuthFailure(bobSide.verifyOffer(c, m.timestampMillis(), offer, m.signature(), m.publicKey()), "does not belong");
        // unsigned
        assertAuthFailure(bobSide.verifyOffer(c, s.timestampMillis(), offer, new byte[0], new byte[0]), "not signed");
    }

    @Test
    void replayedAndStaleOffersFail() {
        AuthTranscript.Connection c = call((byte) 1, alice.user(), "chat");
        SignedSignaling.SignedOffer s = aliceSide.signOffer(c, offer);
        bobSide.verifyOffer(c, s.timestampMillis(), offer, s.signature(), s.publicKey()).join();
        assertAuthFailure(bobSide.verifyOffer(c, s.timestampMillis(), offer, s.signature(), s.publicKey()), "replayed");
        AuthTranscript.Connection c2 = call((byte) 2, alice.user(), "chat");
        SignedSignaling.SignedOffer old = aliceSide.signOffer(c2, offer);
        now.addAndGet(Duration.ofMinutes(3).toMillis());
        assertAuthFailure(bobSide.verifyOffer(c2, old.timestampMillis(), offer, old.signature(), old.publicKey()), "stale");
    }

    @Test
    void answerMustBeBobsAndBoundToThisOffer() {
        AuthTranscript.Connection c = call((byte) 1, alice.user(), "chat");
        SignedSignaling.SignedOffer s = aliceSide.signOffer(c, offer);
        byte[] hash = s.transcriptHash();
        byte[] sig = bobSide.signAnswer(c, hash, false, answer);
        assertAuthFailure(aliceSide.verifyAnswer(c, hash, false, "answer with fingerprint M".getBytes(), sig,
                bobSide.publicKey()), "bad signature");
        assertAuthFailure(aliceSide.verifyAnswer(c, hash, true, answer, sig, bobSide.publicKey()), "bad signature");
        byte[] otherOffer = aliceSide.signOffer(c, offer).transcriptHash();
        now.incrementAndGet();
        byte[] otherHash = aliceSide.signOffer(c, offer).transcriptHash();
        assertAuthFailure(aliceSide.verifyAnswer(c, otherHash, false, answer, sig, bobSide.publicKey()), "bad signature");
        byte[] malloryAnswer = side(mallory).signAnswer(c, hash, false, answer);
        assertAuthFailure(aliceSide.verifyAnswer(c, hash, false, answer, malloryAnswer, side(mallory).publicKey()),
                "does not belong");
        assertTrue(otherOffer.length == 32);
    }

    @Test
    void missingVerifierIsAnAuthenticationFailure() {
        SignedSignaling noVerifiers = new SignedSignaling(bob, scheme -> null, new ReplayGuard(Duration.ofMinutes(2), 10,
                now::get), now::get);
        AuthTranscript.Connection c = call((byte) 1, alice.user(), "chat");
        SignedSignaling.SignedOffer s = aliceSide.signOffer(c, offer);
        assertAuthFailure(noVerifiers.verifyOffer(c, s.timestampMillis(), offer, s.signature(), s.publicKey()), "no verifier");
    }

    @Test
    void aVerifierThatNeverAnswersIsAFailureAfterTheCheckTimeout() throws Exception {
        org.gcs.api.auth.AuthProvider hanging = new org.gcs.api.auth.AuthProvider() {
            @Override
            public String scheme() {
                return "pk";
            }

            @Override
            public java.util.concurrent.CompletableFuture<Void> verify(UserId user, byte[] publicKey, byte[] transcript,
                    byte[] signature) {
                return new java.util.concurrent.CompletableFuture<>(); // an identity lookup that hangs
            }

            @Override
            public java.util.concurrent.CompletableFuture<Void> checkOwner(UserId user, byte[] publicKey) {
                return new java.util.concurrent.CompletableFuture<>();
            }
        };
        SignedSignaling patient = new SignedSignaling(bob, scheme -> hanging, new ReplayGuard(Duration.ofMinutes(2), 10,
                now::get), now::get, Duration.ofMillis(200));
        AuthTranscript.Connection c = call((byte) 1, alice.user(), "chat");
        SignedSignaling.SignedOffer s = aliceSide.signOffer(c, offer);
        java.util.concurrent.CompletableFuture<Void> check =
                patient.verifyOffer(c, s.timestampMillis(), offer, s.signature(), s.publicKey());
        java.util.concurrent.ExecutionException e = org.junit.jupiter.api.Assertions.assertThrows(
                java.util.concurrent.ExecutionException.class, () -> check.get(5, java.util.concurrent.TimeUnit.SECONDS));
        assertTrue(e.getCause() instanceof org.gcs.api.AuthenticationException, "cause: " + e.getCause());
    }
}
