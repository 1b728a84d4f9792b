package org.gcs.client;

import java.util.Objects;
import org.gcs.api.UserId;

/**
 * An entry of the daemon user's friends file: a user, the name she is known by locally (may be empty), and whether
 * channels with her are authenticated end to end (her {@code +auth} entry, the daemon's {@code mutual.auth}, or privacy
 * mode {@code local-authenticated}).
 */
public record Friend(UserId user, String petname, boolean authenticated) {
    public Friend {
        Objects.requireNonNull(user, "user");
        petname = petname == null ? "" : petname;
    }

    /** An entry without end-to-end authentication. */
    public Friend(UserId user, String petname) {
        this(user, petname, false);
    }
}
