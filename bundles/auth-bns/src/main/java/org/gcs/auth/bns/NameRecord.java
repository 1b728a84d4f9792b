package org.gcs.auth.bns;

import java.util.Objects;

/**
 * One name service's answer about a name: its status and its owner, a principal as the service writes it
 * ({@code SP…} for a key, {@code SP….contract} for a contract; {@code null} when unknown). Immutable.
 */
public record NameRecord(BnsName name, NameStatus status, String owner) {
    public NameRecord {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(status, "status");
    }

    /** Whether the owner is a contract principal, which holds no key and cannot sign. */
    public boolean ownedByContract() {
        return owner != null && owner.indexOf('.') >= 0;
    }

    /**
     * Why {@code address} may not log in as this name, or {@code null} if it may: the name must be active and owned by
     * exactly that standard principal.
     */
    public String refusal(StacksAddress address) {
        return switch (status) {
            case UNKNOWN -> "no such BNS name: " + name;
            case EXPIRED -> name + " has expired";
            case GRACE_PERIOD -> name + " has expired and is in its grace period: renew it to log in";
            case REVOKED -> name + " has been revoked";
            case ACTIVE -> {
                if (owner == null) {
                    yield "the name service names no owner of " + name;
                }
                if (ownedByContract()) {
                    yield name + " is owned by the contract " + owner + ", which cannot sign";
                }
                StacksAddress o;
                try {
                    o = StacksAddress.parse(owner);
                } catch (IllegalArgumentException e) {
                    yield "the name service gave a malformed owner for " + name + ": " + owner;
                }
                yield o.equals(address) ? null : name + " is owned by " + o + ", not by " + address;
            }
        };
    }
}
