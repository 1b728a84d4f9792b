package org.gcs.daemon.app;

import org.gcs.api.wire.AppWire;

/** An application's control connection (one that sent ListenIntent): where incoming requests and opened pipes are reported. */
public interface AppControl {
    /** Asks the application to accept or reject an incoming connection. */
    void incomingRequest(AppWire.IncomingConnectionRequest request);

    /** Tells the application that the caller withdrew a request it was asked about (no pipe will follow). */
    void incomingWithdrawn(AppWire.IncomingConnectionWithdrawn withdrawn);

    /** Reports that the pipe for an accepted request is open. */
    void connectionOpened(AppWire.ConnectionOpened opened);

    /** The remote address of the connection, for logs. */
    String describe();
}
