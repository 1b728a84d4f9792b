package org.gcs.api;

/** A device of a user, named by her (laptop, phone); unique among that user's devices. */
public record DeviceId(String name) implements Comparable<DeviceId> {
    public DeviceId {
        Ids.requireName("device id", name);
    }

    public static DeviceId of(String name) {
        return new DeviceId(name);
    }

    @Override
    public int compareTo(DeviceId o) {
        return name.compareTo(o.name);
    }

    @Override
    public String toString() {
        return name;
    }
}
