package org.gcs.routing.kademlia.link;

import com.google.protobuf.ByteString;
import org.gcs.api.NodeId;
import org.gcs.routing.kademlia.link.wire.LinkWire.Goodbye;
import org.gcs.routing.kademlia.link.wire.LinkWire.LinkFrame;
import org.gcs.routing.kademlia.link.wire.LinkWire.LinkHello;
import org.gcs.routing.kademlia.link.wire.LinkWire.Message;
import org.gcs.routing.kademlia.link.wire.LinkWire.Ping;
import org.gcs.routing.kademlia.link.wire.LinkWire.Pong;
import org.gcs.routing.kademlia.link.wire.LinkWire.Request;
import org.gcs.routing.kademlia.link.wire.LinkWire.Response;
import org.gcs.routing.kademlia.link.wire.LinkWire.Status;

/** Builds the {@link LinkFrame}s a link sends; bodies are copied, so callers may reuse their arrays. */
final class LinkFrames {
    /** The link protocol version this code speaks. */
    static final int VERSION = 1;

    private LinkFrames() {
    }

    static LinkFrame hello(NodeId self, String listenHost, int listenPort) {
        return LinkFrame.newBuilder().setHello(LinkHello.newBuilder().setVersion(VERSION)
                .setNodeId(ByteString.copyFrom(self.toBytes())).setListenHost(listenHost).setListenPort(listenPort))
                .build();
    }

    static LinkFrame request(long id, int method, byte[] body) {
        return LinkFrame.newBuilder().setRequest(Request.newBuilder().setId(id).setMethod(method)
                .setBody(ByteString.copyFrom(body))).build();
    }

    static LinkFrame answer(long id, byte[] body) {
        return LinkFrame.newBuilder().setResponse(Response.newBuilder().setId(id).setStatus(Status.OK)
                .setBody(ByteString.copyFrom(body))).build();
    }

    static LinkFrame error(long id, Status status, String message) {
        return LinkFrame.newBuilder().setResponse(Response.newBuilder().setId(id).setStatus(status).setMessage(message))
                .build();
    }

    static LinkFrame message(int method, byte[] body) {
        return LinkFrame.newBuilder().setMessage(Message.newBuilder().setMethod(method)
                .setBody(ByteString.copyFrom(body))).build();
    }

    static LinkFrame ping(long nonce) {
        return LinkFrame.newBuilder().setPing(Ping.newBuilder().setNonce(nonce)).build();
    }

    static LinkFrame pong(long nonce) {
        return LinkFrame.newBuilder().setPong(Pong.newBuilder().setNonce(nonce)).build();
    }

    static LinkFrame goodbye(String reason) {
        return LinkFrame.newBuilder().setGoodbye(Goodbye.newBuilder().setReason(reason)).build();
    }
}
