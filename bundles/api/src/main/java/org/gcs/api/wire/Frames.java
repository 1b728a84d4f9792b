package org.gcs.api.wire;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import org.gcs.api.ProtocolException;

/**
 * Blocking framing for GCS wire messages over plain streams: a 4-byte big-endian length, then the message bytes. Used
 * by the application client library; the daemon and node use the same format through Netty.
 */
public final class Frames {
    private Frames() {
    }

    /** Writes one frame holding {@code message} and flushes. */
    public static void write(OutputStream out, byte[] message) throws IOException {
        if (message.length > WireVersions.MAX_FRAME_BYTES) {
            throw new ProtocolException("frame of " + message.length + " bytes exceeds " + WireVersions.MAX_FRAME_BYTES);
        }
        byte[] frame = new byte[4 + message.length];
        int n = message.length;
        frame[0] = (byte) (n >>> 24);
        frame[1] = (byte) (n >>> 16);
        frame[2] = (byte) (n >>> 8);
        frame[3] = (byte) n;
        System.arraycopy(message, 0, frame, 4, n);
        out.write(frame);
        out.flush();
    }

    /**
     * Reads one frame's message bytes.
     *
     * @return the bytes, or {@code null} if the stream ended cleanly before a frame began
     * @throws ProtocolException if the announced length is above {@code maxBytes}
     * @throws EOFException if the stream ended inside a frame
     */
    public static byte[] read(InputStream in, int maxBytes) throws IOException {
        int first = in.read();
        if (first < 0) {
            return null;
        }
        DataInputStream data = new DataInputStream(in);
        int length = (first << 24) | (data.readUnsignedByte() << 16) | (data.readUnsignedShort());
        if (length < 0 || length > maxBytes) {
            throw new ProtocolException("frame length " + Integer.toUnsignedString(length) + " exceeds " + maxBytes);
        }
        byte[] message = new byte[length];
        data.readFully(message);
        return message;
    }
}
