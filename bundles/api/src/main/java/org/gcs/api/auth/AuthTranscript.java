package org.gcs.api.auth;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import org.gcs.api.DeviceId;
import org.gcs.api.NodeId;
import org.gcs.api.UserId;

/**
 * The exact bytes a user signs. Each transcript starts with its own context label and then carries its fields
 * length-prefixed, so a signature made for one purpose, node, session or device is never valid for another.
 */
public final class AuthTranscript {
    static final String NODE_LOGIN = "gcs/node-login/v1";

    private AuthTranscript() {
    }

    /** What a daemon signs to log in to a node: the node's id, the node's fresh nonce, and who is logging in from where. */
    public static byte[] nodeLogin(NodeId node, byte[] nonce, UserId user, DeviceId device) {
        return of(NODE_LOGIN, node.toBytes(), nonce, utf8(user.toString()), utf8(device.name()));
    }

    /** A transcript for {@code context} over {@code fields}; each field is written as a 4-byte length and its bytes. */
    public static byte[] of(String context, byte[]... fields) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        writeField(out, utf8(context));
        for (byte[] field : fields) {
            writeField(out, field);
        }
        return out.toByteArray();
    }

    private static void writeField(ByteArrayOutputStream out, byte[] field) {
        int n = field.length;
        out.write(n >>> 24);
        out.write(n >>> 16);
        out.write(n >>> 8);
        out.write(n);
        out.write(field, 0, n);
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
