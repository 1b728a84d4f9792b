package org.gcs.api.transport;

import java.util.Objects;

/** A STUN or TURN server a session may use; TURN servers carry (short-lived) credentials. */
public record IceServer(Kind kind, String host, int port, String username, String password) {
    public enum Kind { STUN, TURN }

    public IceServer {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(host, "host");
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port out of range: " + port);
        }
        username = username == null ? "" : username;
        password = password == null ? "" : password;
    }

    public static IceServer stun(String host, int port) {
        return new IceServer(Kind.STUN, host, port, "", "");
    }

    @Override
    public String toString() {
        return kind + " " + host + ":" + port;
    }
}
