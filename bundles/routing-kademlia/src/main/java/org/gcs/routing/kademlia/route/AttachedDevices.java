package org.gcs.routing.kademlia.route;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import org.gcs.api.UserId;
import org.gcs.api.routing.DeviceSink;
import org.gcs.api.routing.Endpoint;
import org.gcs.api.routing.Presence;

/** The devices attached at this node, each with what it told the node and its door. Thread-safe. */
final class AttachedDevices {
    /** A device attached at this node: what it told the node and its door. */
    record Attachment(Presence presence, DeviceSink sink) {
    }

    private final ConcurrentMap<Endpoint, Attachment> byDevice = new ConcurrentHashMap<>();

    /** Attaches {@code presence.device()} through {@code sink}; returns the attachment it replaced, if any. */
    Attachment put(Presence presence, DeviceSink sink) {
        return byDevice.put(presence.device(), new Attachment(presence, sink));
    }

    Attachment get(Endpoint device) {
        return byDevice.get(device);
    }

    boolean contains(Endpoint device) {
        return byDevice.containsKey(device);
    }

    /** Detaches {@code device} if its attachment is still {@code current}. */
    boolean remove(Endpoint device, Attachment current) {
        return byDevice.remove(device, current);
    }

    /** Detaches {@code device}, whatever its attachment; returns it, if there was one. */
    Attachment remove(Endpoint device) {
        return byDevice.remove(device);
    }

    /** A snapshot of the attachments, by user. */
    Map<UserId, List<Attachment>> byUser() {
        Map<UserId, List<Attachment>> byUser = new HashMap<>();
        byDevice.values().forEach(a -> byUser.computeIfAbsent(a.presence().device().user(), u -> new ArrayList<>()).add(a));
        return byUser;
    }

    /** A snapshot of the attachments. */
    Map<Endpoint, Attachment> snapshot() {
        return Map.copyOf(byDevice);
    }

    boolean isEmpty() {
        return byDevice.isEmpty();
    }

    int size() {
        return byDevice.size();
    }
}
