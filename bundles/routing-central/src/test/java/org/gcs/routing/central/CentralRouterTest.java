package org.gcs.routing.central;

import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.concurrent.ExecutionException;
import org.gcs.api.NodeId;
import org.gcs.api.ProtocolException;
import org.gcs.api.routing.FriendsPolicy;
import org.gcs.api.routing.NodeAddress;
import org.gcs.api.routing.Router;
import org.gcs.contracts.RouterContract;
import org.junit.jupiter.api.Test;

/** Runs the {@link RouterContract} against {@link CentralRouter}, which serves exactly one node. */
class CentralRouterTest extends RouterContract {
    private static final NodeAddress NODE = new NodeAddress(NodeId.of(new byte[32]), "127.0.0.1", 7000);

    @Override
    protected int clusterSize() {
        return 1;
    }

    @Override
    protected Cluster newCluster(int size) {
        CentralRouter router = new CentralRouter();
        await(router.start(NODE));
        return new Cluster() {
            @Override
            public List<Router> routers() {
                return List.of(router);
            }

            @Override
            public List<NodeAddress> nodes() {
                return List.of(NODE);
            }

            @Override
            public void close() {
                await(router.stop());
            }
        };
    }

    @Test
    void aDeviceOfAnotherNodeIsRefusedBecauseACentralRouterServesOneNode() {
        CentralRouter router = new CentralRouter();
        await(router.start(NODE));
        byte[] other = new byte[32];
        other[0] = 1;

        ExecutionException failure = assertThrows(ExecutionException.class, () -> router.attach(
                presence(ALICE, LAPTOP, new NodeAddress(NodeId.of(other), "127.0.0.1", 7001), FriendsPolicy.OPEN),
                new RecordingSink()).get());
        assertInstanceOf(ProtocolException.class, failure.getCause());
    }
}
