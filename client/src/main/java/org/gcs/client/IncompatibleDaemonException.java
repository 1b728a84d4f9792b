package org.gcs.client;

import org.gcs.api.ProtocolException;

/** The daemon does not speak this client's version of the application protocol (or answered with another one). */
public class IncompatibleDaemonException extends ProtocolException {
    private static final long serialVersionUID = 1L;

    private final int clientVersion;
    private final int daemonVersion;

    /**
     * @param daemonVersion the version the daemon announced, or {@code -1} if it only refused ours
     */
    public IncompatibleDaemonException(int clientVersion, int daemonVersion, String message) {
        super(message);
        this.clientVersion = clientVersion;
        this.daemonVersion = daemonVersion;
    }

    /** The application protocol version this client speaks. */
    public int clientVersion() {
        return clientVersion;
    }

    /** The version the daemon announced, or {@code -1} if it refused ours without naming its own. */
    public int daemonVersion() {
        return daemonVersion;
    }
}
