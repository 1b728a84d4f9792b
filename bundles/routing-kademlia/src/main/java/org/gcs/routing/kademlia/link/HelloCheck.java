package org.gcs.routing.kademlia.link;

import io.netty.util.NetUtil;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.regex.Pattern;
import org.gcs.api.NodeId;
import org.gcs.routing.kademlia.link.wire.LinkWire.LinkHello;

/**
 * Checks a peer's {@link LinkHello} against what TLS proved: the node id it claims must be its certificate's, and the
 * node dialed if this end dialed. This is where a node whose key does not match its claimed id is refused. Never
 * resolves host names (it runs on an event loop).
 */
final class HelloCheck {
    private static final Pattern HOST = Pattern.compile("[A-Za-z0-9._:%\\-\\[\\]]{1,253}");

    /** What a checked hello says: who the peer is and where it accepts links. */
    record PeerHello(NodeId id, InetSocketAddress listenAddress) {
    }

    private HelloCheck() {
    }

    /**
     * @param certificateId the id derived from the peer's TLS certificate
     * @param dialed the node this end dialed, or {@code null} if the peer dialed
     * @param self this node
     * @param remote the TCP peer address, used when the hello names no listen host
     * @throws PeerIdentityException if the claimed id is not the certificate's, or not the node dialed, or this node's
     * @throws LinkClosedException if the hello is malformed or of another version
     */
    static PeerHello check(LinkHello hello, NodeId certificateId, NodeId dialed, NodeId self, InetSocketAddress remote) {
        if (hello.getVersion() != LinkFrames.VERSION) {
            throw new LinkClosedException("the peer speaks link protocol version " + hello.getVersion()
                    + ", this node speaks " + LinkFrames.VERSION);
        }
        if (hello.getNodeId().size() != NodeId.LENGTH) {
            throw new LinkClosedException("malformed LinkHello: node_id has " + hello.getNodeId().size()
                    + " bytes, not " + NodeId.LENGTH);
        }
        NodeId claimed = NodeId.of(hello.getNodeId().toByteArray());
        if (!claimed.equals(certificateId)) {
            throw new PeerIdentityException("LinkHello claims node id " + claimed
                    + " but the certificate's key hashes to " + certificateId);
        }
        if (dialed != null && !certificateId.equals(dialed)) {
            throw new PeerIdentityException("wrong node: dialed " + dialed + " but the peer is " + certificateId);
        }
        if (certificateId.equals(self)) {
            throw new PeerIdentityException("the peer presents this node's own identity " + self);
        }
        return new PeerHello(claimed, listenAddress(hello, remote));
    }

    private static InetSocketAddress listenAddress(LinkHello hello, InetSocketAddress remote) {
        int port = hello.getListenPort();
        if (port < 1 || port > 65535) {
            throw new LinkClosedException("malformed LinkHello: listen_port " + Integer.toUnsignedString(port));
        }
        String host = hello.getListenHost();
        if (host.isEmpty()) {
            return new InetSocketAddress(remote.getAddress(), port);
        }
        if (!HOST.matcher(host).matches()) {
            throw new LinkClosedException("malformed LinkHello: listen_host is not a host name or address");
        }
        InetAddress literal = NetUtil.createInetAddressFromIpAddressString(host);
        return literal != null ? new InetSocketAddress(literal, port) : InetSocketAddress.createUnresolved(host, port);
    }
}
