package org.gcs.routing.kademlia;

import org.gcs.contracts.RouterContract;

/** The router contract on three Kademlia nodes on loopback, each a handler of every user (r = 3). */
class KademliaRouterContractTest extends RouterContract {
    @Override
    protected Cluster newCluster(int size) throws Exception {
        return TestCluster.start(size);
    }
}
