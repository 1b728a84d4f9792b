package org.gcs.examples;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import org.gcs.client.ClientOptions;
import org.gcs.client.GcsClient;

/**
 * How an example reaches its daemon: {@code --daemon-state DIR} (the daemon's {@code state.dir}: its Unix socket, no
 * cookie needed), or {@code --daemon-port P} (TCP on the loopback address, with the cookie from {@code api.cookie} in
 * {@code --daemon-state DIR}, else in {@code $GCS_STATE_DIR} or {@code ./state}). Neither: the Unix socket of
 * {@code $GCS_STATE_DIR} or {@code ./state}.
 *
 * @param stateDir the daemon's state directory, null for the client's default
 * @param port the TCP port, 0 for the Unix socket
 */
public record DaemonArgs(Path stateDir, int port) {
    /** {@code others} and the two daemon options, for {@link Args#parse}. */
    public static Set<String> optionsWith(String... others) {
        Set<String> all = new HashSet<>(Set.of(others));
        all.add("daemon-state");
        all.add("daemon-port");
        return all;
    }

    /** Reads and checks the daemon options now, so that a bad one is a usage error before any work. */
    public static DaemonArgs of(Args a) {
        String state = a.get("daemon-state", null);
        return new DaemonArgs(state == null ? null : Path.of(state), a.flag("daemon-port") ? a.port("daemon-port") : 0);
    }

    public GcsClient connect() throws IOException {
        ClientOptions options = stateDir == null ? ClientOptions.defaults() : ClientOptions.defaults().withStateDir(stateDir);
        if (port == 0) {
            return GcsClient.local(options);
        }
        return GcsClient.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), options);
    }
}
