package org.gcs.client;

import java.util.Objects;
import org.gcs.api.UserId;

/** An entry of the daemon user's friends file: a user and the name she is known by locally (may be empty). */
public record Friend(UserId user, String petname) {
    public Friend {
        Objects.requireNonNull(user, "user");
        petname = petname == null ? "" : petname;
    }
}
