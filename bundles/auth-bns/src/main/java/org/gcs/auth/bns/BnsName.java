package org.gcs.auth.bns;

import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.regex.Pattern;
import org.gcs.api.UserId;

/**
 * An on-chain BNS name, {@code name.namespace}: what a user id {@code bns:alice.id} names. The chain stores names in
 * lower case, the name in at most 48 bytes and the namespace in at most 20 (BNS {@code (buff 48)}, {@code (buff 20)}),
 * of lower-case letters, digits, {@code -} and {@code _}. Subdomains ({@code bob.alice.id}) are refused: they live off
 * chain at a registrar this bundle does not trust. Canonical case is {@link UserId}'s (lower case).
 */
public record BnsName(String name, String namespace) {
    private static final Pattern LABEL = Pattern.compile("[a-z0-9_-]+");

    public BnsName {
        if (name == null || namespace == null || !LABEL.matcher(name).matches() || !LABEL.matcher(namespace).matches()) {
            throw new IllegalArgumentException("a BNS name is name.namespace of a-z, 0-9, - and _: " + name + "." + namespace);
        }
        if (name.length() > 48 || namespace.length() > 20) {
            throw new IllegalArgumentException("a BNS name has at most 48 characters and its namespace 20: " + name + "."
                    + namespace);
        }
    }

    /** Parses {@code alice.id} (any case). */
    public static BnsName parse(String text) {
        if (text == null) {
            throw new IllegalArgumentException("no BNS name");
        }
        String s = text.toLowerCase(Locale.ROOT);
        int dot = s.indexOf('.');
        if (dot < 0) {
            throw new IllegalArgumentException("a BNS name is name.namespace: " + text);
        }
        if (s.indexOf('.', dot + 1) >= 0) {
            throw new IllegalArgumentException(text + " is a subdomain: subdomains live off chain and are not accepted");
        }
        return new BnsName(s.substring(0, dot), s.substring(dot + 1));
    }

    /** The name of a {@code bns} user id. */
    public static BnsName of(UserId user) {
        if (!UserId.BNS.equals(user.scheme())) {
            throw new IllegalArgumentException(user + " is not a BNS user");
        }
        return parse(user.value());
    }

    public UserId userId() {
        return UserId.of(UserId.BNS, toString());
    }

    public byte[] nameBytes() {
        return name.getBytes(StandardCharsets.US_ASCII);
    }

    public byte[] namespaceBytes() {
        return namespace.getBytes(StandardCharsets.US_ASCII);
    }

    @Override
    public String toString() {
        return name + "." + namespace;
    }
}
