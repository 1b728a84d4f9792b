package org.gcs.daemon.node;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedOutputStream;
import java.util.ArrayList;
import java.util.List;
import org.gcs.api.wire.NodeWire;
import org.gcs.api.wire.NodeWire.NodeFrame;
import org.gcs.api.wire.WireVersions;

/**
 * The frames that carry a friends upload to the node (docs/PROTOCOL.md, "Long friends lists"): a list too long for
 * one frame is cut into chunks of at most {@value #CHUNK_BYTES} encoded bytes, the first in {@code Authenticate} (or
 * {@code FriendsUpdate}), the others in {@code FriendsUpdate} frames, every one but the last with
 * {@code friends_follow}. The frames of one list must be written back to back.
 */
final class FriendsFrames {
    /** Encoded bytes of friends per frame: well under {@link WireVersions#MAX_FRAME_BYTES} with the frame's other fields. */
    static final int CHUNK_BYTES = 48 * 1024;

    private FriendsFrames() {
    }

    /** {@code Authenticate} with {@code signature} and the first chunk, then the other chunks. */
    static List<NodeFrame> login(byte[] signature, NodeClient.FriendsUpload upload) {
        List<List<String>> chunks = chunks(upload.friends());
        List<NodeFrame> frames = new ArrayList<>(chunks.size());
        frames.add(NodeFrame.newBuilder().setAuthenticate(NodeWire.Authenticate.newBuilder()
                .setSignature(ByteString.copyFrom(signature))
                .setUploadFriends(upload.upload())
                .addAllFriends(chunks.get(0))
                .setFriendsFollow(chunks.size() > 1)).build());
        addUpdates(frames, chunks.subList(1, chunks.size()));
        return frames;
    }

    /** The {@code FriendsUpdate} frames that replace the node's copy with {@code upload}. */
    static List<NodeFrame> update(NodeClient.FriendsUpload upload) {
        if (!upload.upload()) {
            return List.of(NodeFrame.newBuilder().setFriendsUpdate(NodeWire.FriendsUpdate.newBuilder()
                    .setUploadFriends(false)).build());
        }
        List<NodeFrame> frames = new ArrayList<>();
        addUpdates(frames, chunks(upload.friends()));
        return frames;
    }

    private static void addUpdates(List<NodeFrame> frames, List<List<String>> chunks) {
        for (int i = 0; i < chunks.size(); i++) {
            frames.add(NodeFrame.newBuilder().setFriendsUpdate(NodeWire.FriendsUpdate.newBuilder()
                    .setUploadFriends(true)
                    .addAllFriends(chunks.get(i))
                    .setFriendsFollow(i < chunks.size() - 1)).build());
        }
    }

    /** {@code friends} in order, cut where a chunk would pass {@link #CHUNK_BYTES}; one empty chunk for no friends. */
    static List<List<String>> chunks(List<String> friends) {
        List<List<String>> chunks = new ArrayList<>();
        List<String> chunk = new ArrayList<>();
        int bytes = 0;
        for (String friend : friends) {
            int size = CodedOutputStream.computeStringSize(NodeWire.FriendsUpdate.FRIENDS_FIELD_NUMBER, friend);
            if (!chunk.isEmpty() && bytes + size > CHUNK_BYTES) {
                chunks.add(chunk);
                chunk = new ArrayList<>();
                bytes = 0;
            }
            chunk.add(friend);
            bytes += size;
        }
        chunks.add(chunk);
        return chunks;
    }
}
