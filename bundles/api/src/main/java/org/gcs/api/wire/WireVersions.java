package org.gcs.api.wire;

/** Protocol versions and frame limits shared by every speaker of the GCS wire schemas. */
public final class WireVersions {
    /** Version of {@code node.proto} sent in {@code Hello.protocol_version}. */
    public static final int NODE_PROTOCOL = 1;
    /** Version of {@code app.proto} sent in {@code AppHello.protocol_version}. */
    public static final int APP_PROTOCOL = 1;
    /** Version of {@code relay.proto} (the baseline relay) sent in {@code Register.protocol_version}. */
    public static final int RELAY_PROTOCOL = 1;
    /** Largest frame (without its 4-byte length) either side accepts; a longer length closes the connection. */
    public static final int MAX_FRAME_BYTES = 64 * 1024;
    /**
     * Most entries an uploaded friends list may have (sent in chunks: {@code Authenticate.friends_follow},
     * {@code FriendsUpdate.friends_follow}); a node answers a longer one with {@code Error{OVERSIZE}}.
     */
    public static final int MAX_FRIENDS = 100_000;

    private WireVersions() {
    }
}
