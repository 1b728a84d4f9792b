package org.gcs.routing.kademlia.dht;

import java.net.InetSocketAddress;
import java.util.Objects;
import org.gcs.api.NodeId;

/**
 * A GCS node as the DHT knows it: its id and its node-to-node address. Equal only when both match (the same id at
 * another address is another contact: a forged address must never stand for the real node). Immutable; any thread.
 */
public final class Contact {
    private final NodeId id;
    private final InetSocketAddress address;
    private final Key key;
    private final IpGroup group;

    public Contact(NodeId id, InetSocketAddress address) {
        this.id = Objects.requireNonNull(id, "id");
        this.address = Objects.requireNonNull(address, "address");
        this.key = Key.of(id);
        this.group = IpGroup.of(address);
    }

    public NodeId id() {
        return id;
    }

    public InetSocketAddress address() {
        return address;
    }

    /** The node's position in the key space, {@link Key#of(NodeId)}. */
    public Key key() {
        return key;
    }

    /** The network of the address, for diversity limits. */
    public IpGroup group() {
        return group;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Contact c && id.equals(c.id) && address.equals(c.address);
    }

    @Override
    public int hashCode() {
        return 31 * id.hashCode() + address.hashCode();
    }

    @Override
    public String toString() {
        return id.toString().substring(0, 12) + "@" + address.getHostString() + ":" + address.getPort();
    }
}
