package org.gcs.routing.kademlia.link;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import java.net.InetSocketAddress;
import org.gcs.api.NodeId;
import org.gcs.routing.kademlia.link.wire.LinkWire.LinkHello;
import org.junit.jupiter.api.Test;

/** The check of a peer's LinkHello against its TLS certificate, on values alone. */
class HelloCheckTest {
    private static final NodeId SELF = id(1);
    private static final NodeId PEER = id(2);
    private static final NodeId OTHER = id(3);
    private static final InetSocketAddress REMOTE = new InetSocketAddress("127.0.0.7", 50000);

    @Test
    void anHonestHelloGivesThePeerAndItsListenAddress() {
        HelloCheck.PeerHello hello = HelloCheck.check(hello(PEER, "127.0.0.9", 7100), PEER, PEER, SELF, REMOTE);

        assertEquals(PEER, hello.id());
        assertEquals(new InetSocketAddress("127.0.0.9", 7100), hello.listenAddress());
    }

    @Test
    void aHelloClaimingAnotherIdThanTheCertificatesIsRefused() {
        PeerIdentityException refused = assertThrows(PeerIdentityException.class,
                () -> HelloCheck.check(hello(OTHER, "127.0.0.9", 7100), PEER, null, SELF, REMOTE));

        assertTrue(refused.getMessage().contains("claims node id " + OTHER), refused.getMessage());
        assertTrue(refused.getMessage().contains("hashes to " + PEER), refused.getMessage());
    }

    @Test
    void aPeerOtherThanTheOneDialedIsRefused() {
        assertThrows(PeerIdentityException.class,
                () -> HelloCheck.check(hello(PEER, "127.0.0.9", 7100), PEER, OTHER, SELF, REMOTE));
    }

    @Test
    void aPeerPresentingThisNodesOwnIdentityIsRefused() {
        assertThrows(PeerIdentityException.class,
                () -> HelloCheck.check(hello(SELF, "127.0.0.9", 7100), SELF, null, SELF, REMOTE));
    }

    @Test
    void anotherVersionOrAMalformedHelloCloses() {
        LinkHello future = hello(PEER, "127.0.0.9", 7100).toBuilder().setVersion(2).build();
        LinkClosedException version = assertThrows(LinkClosedException.class,
                () -> HelloCheck.check(future, PEER, null, SELF, REMOTE));
        assertTrue(version.getMessage().contains("version 2"), version.getMessage());

        LinkHello shortId = hello(PEER, "127.0.0.9", 7100).toBuilder().setNodeId(ByteString.copyFrom(new byte[5])).build();
        assertThrows(LinkClosedException.class, () -> HelloCheck.check(shortId, PEER, null, SELF, REMOTE));
        assertThrows(LinkClosedException.class, () -> HelloCheck.check(hello(PEER, "127.0.0.9", 0), PEER, null, SELF, REMOTE));
        assertThrows(LinkClosedException.class,
                () -> HelloCheck.check(hello(PEER, "127.0.0.9", 70000), PEER, null, SELF, REMOTE));
        assertThrows(LinkClosedException.class,
                () -> HelloCheck.check(hello(PEER, "bad host\n", 7100), PEER, null, SELF, REMOTE));
    }

    @Test
    void anEmptyListenHostMeansTheAddressTheLinkComesFrom() {
        HelloCheck.PeerHello hello = HelloCheck.check(hello(PEER, "", 7100), PEER, null, SELF, REMOTE);

        assertEquals(new InetSocketAddress("127.0.0.7", 7100), hello.listenAddress());
    }

    @Test
    void aHostNameIsKeptUnresolved() {
        HelloCheck.PeerHello hello = HelloCheck.check(hello(PEER, "node.example", 7100), PEER, null, SELF, REMOTE);

        assertTrue(hello.listenAddress().isUnresolved());
        assertEquals("node.example", hello.listenAddress().getHostString());
    }

    private static LinkHello hello(NodeId claimed, String host, int port) {
        return LinkFrames.hello(claimed, host, port).getHello();
    }

    private static NodeId id(int seed) {
        return NodeId.fromPublicKey(new byte[] {(byte) seed});
    }
}
