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
 * requester may see, and whether a connect request may reach a device. A requester whom no device admits gets
 * {@link RefusedException} whether or not the named device is online, so a stranger cannot probe device names.
 */
public final class HandlerRules {
    private HandlerRules() {
    }

    /**
     * The devices of {@code owner} that {@code requester} may see, sorted.
     *
     * @throws UnknownUserException if {@code online} is empty
     * @throws RefusedException if no device's policy admits {@code requester}
     */
    public static List<DeviceId> visibleDevices(UserId owner, Collection<Presence> online, UserId requester) {
        if (online.isEmpty()) {
            throw new UnknownUserException(owner + " has no device online");
        }
        List<DeviceId> visible = online.stream()
                .filter(p -> p.friends().admits(requester, owner))
                .map(p -> p.device().device())
                .distinct()
                .sorted()
                .toList();
        if (visible.isEmpty()) {
            throw new RefusedException(owner + " does not accept " + requester);
        }
        return visible;
    }

    /**
     * The presence of {@code callee} that a connect request from {@code caller} may go to.
     *
     * @throws UnknownUserException if the callee's user has no device online
     * @throws RefusedException if no device of hers admits the caller, or the named device does not
     * @throws DeviceOfflineException if some device admits the caller but the named one is not online
     */
    public static Presence admitConnect(Collection<Presence> online, Endpoint caller, Endpoint callee) {
        if (online.isEmpty()) {
            throw new UnknownUserException(callee.user() + " has no device online");
        }
        UserId owner = callee.user();
        if (online.stream().noneMatch(p -> p.friends().admits(caller.user(), owner))) {
            throw refused(caller, callee);
        }
        Presence target = online.stream().filter(p -> p.device().equals(callee)).findFirst()
                .orElseThrow(() -> new DeviceOfflineException(callee + " is not online"));
        if (!target.friends().admits(caller.user(), owner)) {
            throw refused(caller, callee);
        }
        return target;
    }

    private static RefusedException refused(Endpoint caller, Endpoint callee) {
        return new RefusedException(callee.user() + " does not accept requests from " + caller.user());
    }
}
