package org.gcs.routing.kademlia.link;

import java.util.concurrent.atomic.AtomicReference;
import org.gcs.api.NodeId;
import org.gcs.routing.kademlia.link.wire.LinkWire.LinkFrame;

/** What every link of one endpoint shares: this node's id and hello, the limits, the handlers and the registry. */
record LinkContext(NodeId self, LinkConfig config, RequestHandler requests, MessageHandler messages,
        LinkRegistry registry, AtomicReference<LinkFrame> hello) {
}
