package org.gcs.node.ice;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Objects;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.gcs.api.UserId;

/**
 * Short-lived TURN credentials in coturn's shared-secret REST scheme ({@code use-auth-secret}): the username is
 * {@code <unix expiry>:<label>} and the password {@code base64(HMAC-SHA1(secret, username))}. coturn checks both with
 * the same secret and refuses them after the expiry, so no long-term TURN password ever lives on a device. The label
 * is a hash of the user id, so the TURN operator's logs do not name users.
 */
public final class TurnCredentials {
    private final byte[] secret;
    private final Duration ttl;
    private final Clock clock;

    public TurnCredentials(String secret, Duration ttl, Clock clock) {
        if (secret == null || secret.isEmpty()) {
            throw new IllegalArgumentException("TURN shared secret is empty");
        }
        if (ttl == null || ttl.isNegative() || ttl.isZero()) {
            throw new IllegalArgumentException("TURN credential lifetime must be positive: " + ttl);
        }
        this.secret = secret.getBytes(StandardCharsets.UTF_8);
        this.ttl = ttl;
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** How long issued credentials are valid. */
    public Duration ttl() {
        return ttl;
    }

    /** A username/password pair for {@code user}, valid until now + ttl. */
    public Credential issue(UserId user) {
        long expiry = clock.instant().plus(ttl).getEpochSecond();
        String username = expiry + ":" + label(user);
        return new Credential(username, password(username));
    }

    /** What coturn computes for {@code username}: base64 of HMAC-SHA1 with the shared secret. */
    public String password(String username) {
        try {
            Mac mac = Mac.getInstance("HmacSHA1");
            mac.init(new SecretKeySpec(secret, "HmacSHA1"));
            return Base64.getEncoder().encodeToString(mac.doFinal(username.getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA1 is missing from this JVM", e);
        }
    }

    static String label(UserId user) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(user.toString().getBytes(StandardCharsets.UTF_8));
            return "gcs-" + HexFormat.of().formatHex(digest, 0, 8);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }

    /** A TURN username and password. */
    public record Credential(String username, String password) {
    }
}
