package org.gcs.routing.kademlia.dht.sim;

import java.util.List;
import org.gcs.routing.kademlia.dht.Contact;
import org.gcs.routing.kademlia.dht.Kademlia;
import org.gcs.routing.kademlia.dht.Key;

/**
 * One simulated DHT node: a real {@link Kademlia}, whether it is alive, and how it answers requests (honestly by
 * default; adversarial tests replace {@link #inbound}). Runs on the event loop's thread.
 */
public final class SimNode {
    /** How a node serves requests: what the link layer would hand to the DHT. */
    public interface Inbound {
        List<Contact> findNode(Contact sender, Key target);

        void ping(Contact sender);
    }

    private final Contact contact;
    private final Kademlia dht;
    private final SimScheduler scheduler;
    private boolean alive = true;
    private Inbound inbound;

    SimNode(Contact contact, Kademlia dht, SimScheduler scheduler) {
        this.contact = contact;
        this.dht = dht;
        this.scheduler = scheduler;
        this.inbound = new Inbound() {
            @Override
            public List<Contact> findNode(Contact sender, Key target) {
                return dht.onFindNode(sender, target);
            }

            @Override
            public void ping(Contact sender) {
                dht.onPing(sender);
            }
        };
    }

    public Contact contact() {
        return contact;
    }

    public Kademlia dht() {
        return dht;
    }

    public boolean alive() {
        return alive;
    }

    public Inbound inbound() {
        return inbound;
    }

    /** Replaces how this node answers (an adversary). */
    public void setInbound(Inbound inbound) {
        this.inbound = inbound;
    }

    /** The node disappears: it stops, its timers fall silent, messages to it go unanswered. */
    public void kill() {
        alive = false;
        dht.stop();
        scheduler.kill();
    }

    @Override
    public String toString() {
        return contact + (alive ? "" : " (dead)");
    }
}
