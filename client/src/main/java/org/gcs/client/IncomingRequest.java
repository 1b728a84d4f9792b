package org.gcs.client;

import java.util.Objects;
import org.gcs.api.AppId;
import org.gcs.api.DeviceId;
import org.gcs.api.UserId;
import org.gcs.api.transport.ChannelType;

/**
 * A friend's request to open a pipe to a listening application, as the daemon announced it.
 *
 * @param connectionId hex form of the daemon's connection id
 * @param callerUser the authenticated caller
 * @param callerPetname the caller's name in the local friends file, empty if none
 * @param callerDevice the device the caller connects from
 * @param callerApp the calling application's id
 * @param app the local application id that was asked for
 * @param type what the pipe carries
 */
public record IncomingRequest(String connectionId, UserId callerUser, String callerPetname, DeviceId callerDevice,
        AppId callerApp, AppId app, ChannelType type) {
    public IncomingRequest {
        Objects.requireNonNull(connectionId, "connectionId");
        Objects.requireNonNull(callerUser, "callerUser");
        callerPetname = callerPetname == null ? "" : callerPetname;
        Objects.requireNonNull(callerDevice, "callerDevice");
        Objects.requireNonNull(callerApp, "callerApp");
        Objects.requireNonNull(app, "app");
        Objects.requireNonNull(type, "type");
    }

    /** The petname if there is one, else the user id: what to show a human. */
    public String callerDisplayName() {
        return callerPetname.isEmpty() ? callerUser.toString() : callerPetname;
    }
}
