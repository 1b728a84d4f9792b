package org.gcs.client.internal;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/** The STREAM pipe format: each datagram is a 2-byte big-endian length followed by that many bytes. */
public final class DatagramCodec {
    public static final int MAX_DATAGRAM_BYTES = 0xFFFF;

    private DatagramCodec() {
    }

    /** Writes one datagram in a single {@code write} call and flushes. */
    public static void write(OutputStream out, byte[] datagram) throws IOException {
        if (datagram.length > MAX_DATAGRAM_BYTES) {
            throw new IllegalArgumentException("datagram of " + datagram.length + " bytes exceeds " + MAX_DATAGRAM_BYTES);
        }
        byte[] buf = new byte[2 + datagram.length];
        buf[0] = (byte) (datagram.length >>> 8);
        buf[1] = (byte) datagram.length;
        System.arraycopy(datagram, 0, buf, 2, datagram.length);
        out.write(buf);
        out.flush();
    }

    /**
     * Reads one datagram.
     *
     * @return the datagram, or {@code null} if the stream ended cleanly before one began
     * @throws EOFException if the stream ended inside a datagram
     */
    public static byte[] read(InputStream in) throws IOException {
        int hi = in.read();
        if (hi < 0) {
            return null;
        }
        int lo = in.read();
        if (lo < 0) {
            throw new EOFException("stream ended inside a datagram length");
        }
        int length = (hi << 8) | lo;
        byte[] datagram = new byte[length];
        int off = 0;
        while (off < length) {
            int n = in.read(datagram, off, length - off);
            if (n < 0) {
                throw new EOFException("stream ended after " + off + " of " + length + " datagram bytes");
            }
            off += n;
        }
        return datagram;
    }
}
