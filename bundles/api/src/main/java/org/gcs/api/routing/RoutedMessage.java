package org.gcs.api.routing;

import java.util.Objects;
import org.gcs.api.DeviceId;
import org.gcs.api.UserId;

/**
 * A control message from one device to another: authenticated sender, recipient, and an opaque payload (an encoded
 * {@code NodeFrame}) that routers carry unread.
 */
public record RoutedMessage(UserId fromUser, DeviceId fromDevice, UserId toUser, DeviceId toDevice, byte[] payload) {
    public RoutedMessage {
        Objects.requireNonNull(fromUser, "fromUser");
        Objects.requireNonNull(fromDevice, "fromDevice");
        Objects.requireNonNull(toUser, "toUser");
        Objects.requireNonNull(toDevice, "toDevice");
        payload = Objects.requireNonNull(payload, "payload").clone();
    }

    @Override
    public byte[] payload() {
        return payload.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RoutedMessage m && fromUser.equals(m.fromUser) && fromDevice.equals(m.fromDevice)
                && toUser.equals(m.toUser) && toDevice.equals(m.toDevice) && java.util.Arrays.equals(payload, m.payload);
    }

    @Override
    public int hashCode() {
        return Objects.hash(fromUser, fromDevice, toUser, toDevice, java.util.Arrays.hashCode(payload));
    }

    @Override
    public String toString() {
        return fromUser + "/" + fromDevice + " -> " + toUser + "/" + toDevice + " (" + payload.length + " bytes)";
    }
}
