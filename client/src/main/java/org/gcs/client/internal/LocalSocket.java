package org.gcs.client.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Duration;

/**
 * A stream connection on this machine, TCP or Unix domain socket, with what the client needs of it: one reader and
 * one writer at a time (concurrently), read timeouts that leave the connection usable, half-close.
 */
public interface LocalSocket extends AutoCloseable {
    InputStream input();

    OutputStream output();

    /** Limits how long a read blocks before {@link java.net.SocketTimeoutException}; null or zero waits forever. */
    void setReadTimeout(Duration timeout) throws IOException;

    /** Half-close: the other end reads end-of-stream once it has read everything sent. */
    void shutdownOutput() throws IOException;

    boolean isClosed();

    /** The other end, for messages. */
    String peer();

    /** Closes the connection; never fails. */
    @Override
    void close();

    /** Timeout in milliseconds as sockets take it: 0 = forever, at least 1 otherwise. */
    static int millis(Duration timeout) {
        if (timeout == null || timeout.isZero() || timeout.isNegative()) {
            return 0;
        }
        return (int) Math.max(1, Math.min(Integer.MAX_VALUE, timeout.toMillis()));
    }
}
