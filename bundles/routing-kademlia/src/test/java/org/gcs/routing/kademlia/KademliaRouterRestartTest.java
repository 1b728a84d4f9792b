package org.gcs.routing.kademlia;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.List;
import org.gcs.api.UserId;
import org.gcs.api.routing.NodeAddress;
import org.gcs.routing.kademlia.link.TestKeys;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A node remembers the nodes it knew in its contacts file and, restarted with no bootstrap node, rejoins through them. */
class KademliaRouterRestartTest {
    @Test
    void theFirstNodeRestartedWithoutBootstrapRejoinsThroughTheNodesItRemembered(@TempDir Path dir) throws Exception {
        TestCluster.TestIdentity firstId = new TestCluster.TestIdentity(TestKeys.generate());
        Path contacts = dir.resolve("contacts");
        KademliaRouter first = new KademliaRouter(firstId, TestCluster.settings(List.of()), dir.resolve("status"), contacts);
        first.start(new NodeAddress(firstId.id(), "127.0.0.1", 20_100)).join();
        NodeAddress seed = new NodeAddress(firstId.id(), "127.0.0.1", first.node().linkAddress().getPort());
        TestCluster.TestIdentity secondId = new TestCluster.TestIdentity(TestKeys.generate());
        KademliaRouter second = new KademliaRouter(secondId, TestCluster.settings(List.of(seed)));
        second.start(new NodeAddress(secondId.id(), "127.0.0.1", 20_101)).join();
        try {
            awaitContacts(first, 1);
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (!Files.isRegularFile(contacts)) {
                assertTrue(System.nanoTime() < deadline, "the contacts file was written");
                Thread.sleep(50);
            }
            FileTime written = Files.getLastModifiedTime(contacts);
            Thread.sleep(4_500); // two status intervals: the set of nodes did not change, so neither does the file
            assertEquals(written, Files.getLastModifiedTime(contacts), "an unchanged contacts file is not rewritten");
            first.stop().join();
            assertTrue(Files.readString(contacts).contains(secondId.id().toString()), "the second node is remembered");

            KademliaRouter again = new KademliaRouter(firstId, TestCluster.settings(List.of()), null, contacts);
            again.start(new NodeAddress(firstId.id(), "127.0.0.1", 20_100)).join();
            try {
                awaitContacts(again, 1);
                assertEquals(2, again.handlers(UserId.of("pk", "alice")).get().size(), "both nodes handle users again");
            } finally {
                again.stop().join();
            }
        } finally {
            second.stop().join();
            first.stop().join();
        }
    }

    private static void awaitContacts(KademliaRouter router, int contacts) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        while (router.node().contacts() < contacts) {
            assertTrue(System.nanoTime() < deadline, "the node joined in time");
            Thread.sleep(20);
        }
    }
}
