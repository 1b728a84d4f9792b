package org.gcs.routing.kademlia.link;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/** Test fixture: starts endpoints on 127.0.0.1 and closes every one of them at the end of a test. */
final class TestEndpoints implements AutoCloseable {
    /** Answers every call with its body, prefixed by the method number as one byte. */
    static final RequestHandler ECHO = (peer, address, method, body) -> {
        byte[] answer = new byte[body.length + 1];
        answer[0] = (byte) method;
        System.arraycopy(body, 0, answer, 1, body.length);
        return CompletableFuture.completedFuture(answer);
    };

    private final List<LinkEndpoint> started = new ArrayList<>();

    LinkEndpoint start(NodeKeys keys, LinkConfig config, RequestHandler requests) throws IOException {
        return start(keys, config, requests, MessageHandler.IGNORE, 0);
    }

    LinkEndpoint start(NodeKeys keys, LinkConfig config, RequestHandler requests, MessageHandler messages, int port)
            throws IOException {
        LinkEndpoint endpoint = LinkEndpoint.builder(keys, requests).messageHandler(messages).config(config)
                .listen("127.0.0.1", port).start();
        started.add(endpoint);
        return endpoint;
    }

    /** The endpoint started here for node {@code id}. */
    LinkEndpoint find(org.gcs.api.NodeId id) {
        return started.stream().filter(e -> e.id().equals(id)).findFirst().orElseThrow();
    }

    @Override
    public void close() {
        started.forEach(LinkEndpoint::close);
    }
}
