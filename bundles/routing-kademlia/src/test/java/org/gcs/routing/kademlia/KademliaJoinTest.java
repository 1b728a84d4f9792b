package org.gcs.routing.kademlia;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.net.ServerSocket;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.gcs.api.TransportException;
import org.gcs.api.UserId;
import org.gcs.api.routing.NodeAddress;
import org.gcs.routing.kademlia.link.TestKeys;
import org.junit.jupiter.api.Test;

/** A node that was told to join others names no handlers until it has; the first node of a deployment handles everyone. */
class KademliaJoinTest {
    private static final UserId ALICE = UserId.of("pk", "alice");

    @Test
    void aNodeWhoseBootstrapNodesDoNotAnswerIsUnavailableInsteadOfHandlingEveryoneAlone() throws Exception {
        int deadPort;
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            deadPort = s.getLocalPort();
        }
        NodeAddress nobody = new NodeAddress(new TestCluster.TestIdentity(TestKeys.generate()).id(), "127.0.0.1", deadPort);
        TestCluster.TestIdentity id = new TestCluster.TestIdentity(TestKeys.generate());
        KademliaRouter alone = new KademliaRouter(id, TestCluster.settings(List.of(nobody)));
        alone.start(new NodeAddress(id.id(), "127.0.0.1", 20_200)).join();
        try {
            ExecutionException failure = assertThrows(ExecutionException.class,
                    () -> alone.handlers(ALICE).get(10, TimeUnit.SECONDS));
            assertInstanceOf(TransportException.class, failure.getCause());
        } finally {
            alone.stop().join();
        }
    }

    @Test
    void theFirstNodeOfADeploymentHandlesEveryUser() throws Exception {
        TestCluster.TestIdentity id = new TestCluster.TestIdentity(TestKeys.generate());
        KademliaRouter first = new KademliaRouter(id, TestCluster.settings(List.of()));
        NodeAddress self = new NodeAddress(id.id(), "127.0.0.1", 20_201);
        first.start(self).join();
        try {
            assertEquals(List.of(self), first.handlers(ALICE).get(10, TimeUnit.SECONDS));
        } finally {
            first.stop().join();
        }
    }
}
