package org.gcs.api;

import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A user, named independently of any address: {@code scheme:value}. The scheme says which authentication provider
 * vouches for the name ({@code pk} for a raw Ed25519 public key, {@code bns} for a Blockstack name).
 *
 * <p>Canonical form, decided here once for every bundle: a {@code bns} value is a BNS name, which the chain knows in
 * lower case only, so it is lower-cased ({@code bns:Alice.id} and {@code bns:alice.id} are the same user; a name with
 * characters outside ASCII letters, digits, {@code . _ -} is refused, as every value is). Other schemes' values are
 * case-sensitive ({@code pk} values are base32 keys).
 *
 * <pre>{@code
 * UserId alice = UserId.parse("pk:7d2kx...");
 * alice.scheme(); // "pk"
 * }</pre>
 */
public final class UserId implements Comparable<UserId> {
    private static final Pattern SCHEME = Pattern.compile("[a-z][a-z0-9-]{0,15}");
    private static final Pattern VALUE = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");

    private final String scheme;
    private final String value;

    /** The scheme whose values are case-insensitive and kept in lower case. */
    public static final String BNS = "bns";

    private UserId(String scheme, String value) {
        if (scheme == null || !SCHEME.matcher(scheme).matches()) {
            throw new IllegalArgumentException("user id scheme must match " + SCHEME + ": " + scheme);
        }
        if (value == null || !VALUE.matcher(value).matches()) {
            throw new IllegalArgumentException("user id value must match " + VALUE + ": " + value);
        }
        this.scheme = scheme;
        this.value = BNS.equals(scheme) ? value.toLowerCase(java.util.Locale.ROOT) : value;
    }

    /** A user id from its two parts. */
    public static UserId of(String scheme, String value) {
        return new UserId(scheme, value);
    }

    /** A user id from its printable form {@code scheme:value}. */
    public static UserId parse(String text) {
        if (text == null) {
            throw new IllegalArgumentException("user id is missing");
        }
        int colon = text.indexOf(':');
        if (colon < 0) {
            throw new IllegalArgumentException("user id must be scheme:value: " + text);
        }
        return new UserId(text.substring(0, colon), text.substring(colon + 1));
    }

    public String scheme() {
        return scheme;
    }

    public String value() {
        return value;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof UserId other && scheme.equals(other.scheme) && value.equals(other.value);
    }

    @Override
    public int hashCode() {
        return Objects.hash(scheme, value);
    }

    @Override
    public int compareTo(UserId o) {
        return toString().compareTo(o.toString());
    }

    /** The printable form, {@code scheme:value}; {@link #parse} reads it back. */
    @Override
    public String toString() {
        return scheme + ":" + value;
    }
}
