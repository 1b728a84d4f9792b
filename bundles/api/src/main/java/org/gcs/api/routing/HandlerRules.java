package org.gcs.api.routing;

import java.util.Collection;
import java.util.List;
import org.gcs.api.DeviceId;
import org.gcs.api.DeviceOfflineException;
import org.gcs.api.RefusedException;
import org.gcs.api.UnknownUserException;
import org.gcs.api.UserId;

/**
 * What a user's handler decides from her devices' presences, the same in every routing backend: which devices a
 * requester may see, and whether a connect request may reach a device. A requester whom no device admits is told
 * exactly what he would be told if the user had no device online ({@link UnknownUserException}, same message): a
 * stranger learns neither whether she is online nor which device names she has.
 */
public final class HandlerRules {
    private HandlerRules() {
    }

    /**
     * The devices of {@code owner} that {@code requester} may see, sorted.
     *
     * @throws UnknownUserException if {@code online} is empty, or no device's policy admits {@code requester}
     */
    public static List<DeviceId> visibleDevices(UserId owner, Collection<Presence> online, UserId requester) {
        if (online.isEmpty()) {
            throw notOnline(owner);
        }
        List<DeviceId> visible = online.stream()
                .filter(p -> p.friends().admits(requester, owner))
                .map(p -> p.device().device())
                .distinct()
                .sorted()
                .toList();
        if (visible.isEmpty()) {
            throw notOnline(owner);
        }
        return visible;
    }

    /**
     * The presence of {@code callee} that a connect request from {@code caller} may go to.
     *
     * @throws UnknownUserException if the callee's user has no device online, or none of her devices admits the caller
     * @throws RefusedException if some device of hers admits the caller but the named device does not
     * @throws DeviceOfflineException if some device admits the caller but the named one is not online
     */
    public static Presence admitConnect(Collection<Presence> online, Endpoint caller, Endpoint callee) {
        UserId owner = callee.user();
        if (online.isEmpty() || online.stream().noneMatch(p -> p.friends().admits(caller.user(), owner))) {
            throw notOnline(owner);
        }
        Presence target = online.stream().filter(p -> p.device().equals(callee)).findFirst()
                .orElseThrow(() -> new DeviceOfflineException(callee + " is not online"));
        if (!target.friends().admits(caller.user(), owner)) {
            throw refused(caller, callee);
        }
        return target;
    }

    /** The one answer for "not online" and "not for you": the same type and message. */
    private static UnknownUserException notOnline(UserId owner) {
        return new UnknownUserException(owner + " has no device online");
    }

    private static RefusedException refused(Endpoint caller, Endpoint callee) {
        return new RefusedException(callee.user() + " does not accept requests from " + caller.user());
    }
}
