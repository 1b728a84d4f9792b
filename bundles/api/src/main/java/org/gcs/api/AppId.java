package org.gcs.api;

/** An application kind on a device (chat, files, camera); applications of different kinds may connect to each other. */
public record AppId(String name) implements Comparable<AppId> {
    public AppId {
        Ids.requireName("app id", name);
    }

    public static AppId of(String name) {
        return new AppId(name);
    }

    @Override
    public int compareTo(AppId o) {
        return name.compareTo(o.name);
    }

    @Override
    public String toString() {
        return name;
    }
}
