package org.gcs.api.routing;

import java.util.Objects;
import org.gcs.api.DeviceId;
import org.gcs.api.UserId;

/** One device of one user: where a control message comes from or goes to, and an end of a connection. */
public record Endpoint(UserId user, DeviceId device) {
    public Endpoint {
        Objects.requireNonNull(user, "user");
        Objects.requireNonNull(device, "device");
    }

    @Override
    public String toString() {
        return user + "/" + device;
    }
}
