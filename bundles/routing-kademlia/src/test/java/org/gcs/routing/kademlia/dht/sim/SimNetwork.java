package org.gcs.routing.kademlia.dht.sim;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import org.gcs.api.NodeId;
import org.gcs.routing.kademlia.dht.Contact;
import org.gcs.routing.kademlia.dht.KadRpc;
import org.gcs.routing.kademlia.dht.Key;
import org.gcs.routing.kademlia.dht.RpcTimeoutException;

/**
 * Links between simulated nodes, in memory on virtual time. Each direction of each pair of nodes has a fixed one-way
 * latency drawn from the seed ({@code minLatency..maxLatency} ms). A request reaches the node registered under the
 * contact's id only if the address matches too; a request to an unknown address or a dead node, or a reply to a
 * sender that died, is lost: the request fails after the RPC timeout. A node that throws answers with that failure.
 * Runs on the event loop's thread.
 */
public final class SimNetwork {
    private final EventLoop loop;
    private final long seed;
    private final long rpcTimeoutMillis;
    private final int minLatency;
    private final int maxLatency;
    private final Map<NodeId, SimNode> nodes = new HashMap<>();
    private long requests;
    private long lost;

    public SimNetwork(EventLoop loop, long seed, long rpcTimeoutMillis, int minLatency, int maxLatency) {
        this.loop = loop;
        this.seed = seed;
        this.rpcTimeoutMillis = rpcTimeoutMillis;
        this.minLatency = minLatency;
        this.maxLatency = maxLatency;
    }

    void register(SimNode node) {
        nodes.put(node.contact().id(), node);
    }

    /** Requests sent so far, and how many of them were lost. */
    public long requests() {
        return requests;
    }

    public long lost() {
        return lost;
    }

    /** The one-way latency from {@code a} to {@code b}: fixed per ordered pair, drawn from the seed. */
    public int latency(Contact a, Contact b) {
        long h = seed ^ (a.key().hashCode() * 0x9E3779B97F4A7C15L) ^ ((long) b.key().hashCode() << 32);
        h = mix(h);
        return minLatency + (int) Long.remainderUnsigned(h, maxLatency - minLatency + 1);
    }

    static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** The {@link KadRpc} a node at {@code from} uses. */
    public KadRpc rpcFor(Contact from) {
        return new KadRpc() {
            @Override
            public CompletableFuture<List<Contact>> findNode(Contact to, Key target) {
                return send(from, to, node -> node.inbound().findNode(from, target));
            }

            @Override
            public CompletableFuture<Void> ping(Contact to) {
                return send(from, to, node -> {
                    node.inbound().ping(from);
                    return null;
                });
            }
        };
    }

    private <T> CompletableFuture<T> send(Contact from, Contact to, Function<SimNode, T> serve) {
        requests++;
        CompletableFuture<T> reply = new CompletableFuture<>();
        SimNode dest = nodes.get(to.id());
        if (dest == null || !dest.contact().equals(to)) {
            timeout(reply, from, to, rpcTimeoutMillis);
            return reply;
        }
        int there = latency(from, to);
        int back = latency(to, from);
        loop.schedule(there, () -> {
            if (!dest.alive()) {
                timeout(reply, from, to, rpcTimeoutMillis - there);
                return;
            }
            T answer;
            try {
                answer = serve.apply(dest);
            } catch (RuntimeException e) {
                deliver(from, back, () -> reply.completeExceptionally(e));
                return;
            }
            deliver(from, back, () -> reply.complete(answer));
        });
        return reply;
    }

    private void deliver(Contact to, int latency, Runnable completion) {
        loop.schedule(latency, () -> {
            SimNode node = nodes.get(to.id());
            if (node != null && node.alive()) {
                completion.run();
            }
        });
    }

    private void timeout(CompletableFuture<?> reply, Contact from, Contact to, long afterMillis) {
        lost++;
        loop.schedule(afterMillis, () -> reply.completeExceptionally(
                new RpcTimeoutException("simulated: " + to + " did not answer " + from)));
    }
}
