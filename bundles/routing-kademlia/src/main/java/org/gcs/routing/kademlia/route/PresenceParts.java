package org.gcs.routing.kademlia.route;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedOutputStream;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.gcs.api.NodeId;
import org.gcs.api.ProtocolException;
import org.gcs.api.wire.WireVersions;
import org.gcs.routing.kademlia.route.wire.RouteWire;

/**
 * Presences whose friends list is too long for one call ({@code route.proto}, Presence): {@link #split} cuts the puts
 * of a node, {@link #add} reassembles the parts at a handler. A handler holds at most {@value #MAX_OPEN_PER_NODE}
 * incomplete lists per node, each for at most {@value #OPEN_MILLIS} ms and of at most {@value #MAX_PARTS} parts and
 * {@link WireVersions#MAX_FRIENDS} friends, so a hostile node cannot fill its memory with parts. Thread-safe.
 */
final class PresenceParts {
    static final int MAX_PARTS = 1024;
    static final int MAX_OPEN_PER_NODE = 16;
    static final long OPEN_MILLIS = 60_000;
    private static final int LIST_ID_BYTES = 16;
    private static final SecureRandom RANDOM = new SecureRandom();

    private record Key(NodeId node, ByteString listId) {
    }

    private static final class Open {
        final RouteWire.Device device;
        final boolean uploaded;
        final List<List<String>> parts;
        final long createdMillis;
        int received;
        int friends;

        Open(RouteWire.Presence first, long now) {
            this.device = first.getDevice();
            this.uploaded = first.getUploaded();
            this.parts = new ArrayList<>(java.util.Collections.nCopies(first.getParts(), (List<String>) null));
            this.createdMillis = now;
        }
    }

    private final Map<Key, Open> open = new HashMap<>();

    /**
     * Takes one presence of a put from {@code node}: a whole one comes back as it is; a part comes back as the whole
     * presence once it completes its list, and is held until then (empty).
     *
     * @throws ProtocolException for a part that contradicts its list or passes a bound
     */
    synchronized Optional<RouteWire.Presence> add(NodeId node, RouteWire.Presence p, long now) {
        if (p.getParts() <= 1) {
            return Optional.of(p);
        }
        expire(now);
        if (p.getParts() > MAX_PARTS || p.getPart() >= p.getParts() || p.getListId().size() != LIST_ID_BYTES) {
            throw new ProtocolException("presence part " + p.getPart() + " of " + p.getParts() + " with a list id of "
                    + p.getListId().size() + " bytes");
        }
        Key key = new Key(node, p.getListId());
        Open list = open.get(key);
        if (list == null) {
            long fromNode = open.keySet().stream().filter(k -> k.node().equals(node)).count();
            if (fromNode >= MAX_OPEN_PER_NODE) {
                throw new ProtocolException("node " + node + " already has " + MAX_OPEN_PER_NODE
                        + " incomplete friends lists here");
            }
            list = new Open(p, now);
            open.put(key, list);
        } else if (!list.device.equals(p.getDevice()) || list.uploaded != p.getUploaded()
                || list.parts.size() != p.getParts()) {
            open.remove(key);
            throw new ProtocolException("presence part " + p.getPart() + " contradicts the earlier parts of its list");
        }
        if (list.parts.get(p.getPart()) != null) {
            return Optional.empty(); // a repeated part (a retried call): already held
        }
        list.friends += p.getFriendsCount();
        if (list.friends > WireVersions.MAX_FRIENDS) {
            open.remove(key);
            throw new ProtocolException("a presence with more than " + WireVersions.MAX_FRIENDS + " friends");
        }
        list.parts.set(p.getPart(), List.copyOf(p.getFriendsList()));
        if (++list.received < list.parts.size()) {
            return Optional.empty();
        }
        open.remove(key);
        RouteWire.Presence.Builder whole = RouteWire.Presence.newBuilder().setDevice(list.device).setUploaded(list.uploaded);
        list.parts.forEach(whole::addAllFriends);
        return Optional.of(whole.build());
    }

    /** Incomplete lists held now (tests). */
    synchronized int openLists() {
        return open.size();
    }

    private void expire(long now) {
        for (Iterator<Open> it = open.values().iterator(); it.hasNext(); ) {
            if (now - it.next().createdMillis > OPEN_MILLIS) {
                it.remove();
            }
        }
    }

    /**
     * The puts that carry {@code presences} with {@code header}'s ttl and node, each at most about {@code budgetBytes}
     * encoded: whole presences together while they fit, and a presence that does not fit alone in parts.
     */
    static List<RouteWire.PresencePut> split(RouteWire.PresencePut header, List<RouteWire.Presence> presences,
            int budgetBytes) {
        Objects.requireNonNull(header, "header");
        List<RouteWire.PresencePut> puts = new ArrayList<>();
        RouteWire.PresencePut.Builder put = header.toBuilder().clearPresences();
        int bytes = 0;
        for (RouteWire.Presence p : presences) {
            int size = CodedOutputStream.computeMessageSize(RouteWire.PresencePut.PRESENCES_FIELD_NUMBER, p);
            if (size > budgetBytes) {
                for (RouteWire.Presence part : parts(p, budgetBytes)) {
                    puts.add(header.toBuilder().clearPresences().addPresences(part).build());
                }
                continue;
            }
            if (bytes > 0 && bytes + size > budgetBytes) {
                puts.add(put.build());
                put = header.toBuilder().clearPresences();
                bytes = 0;
            }
            put.addPresences(p);
            bytes += size;
        }
        if (bytes > 0 || puts.isEmpty()) {
            puts.add(put.build());
        }
        return puts;
    }

    private static List<RouteWire.Presence> parts(RouteWire.Presence p, int budgetBytes) {
        byte[] id = new byte[LIST_ID_BYTES];
        RANDOM.nextBytes(id);
        RouteWire.Presence shape = p.toBuilder().clearFriends().setListId(ByteString.copyFrom(id)).build();
        int fixed = shape.getSerializedSize() + 16; // part and parts, and the put's own fields
        List<List<String>> chunks = new ArrayList<>();
        List<String> chunk = new ArrayList<>();
        int bytes = fixed;
        for (String friend : p.getFriendsList()) {
            int size = CodedOutputStream.computeStringSize(RouteWire.Presence.FRIENDS_FIELD_NUMBER, friend);
            if (!chunk.isEmpty() && bytes + size > budgetBytes) {
                chunks.add(chunk);
                chunk = new ArrayList<>();
                bytes = fixed;
            }
            chunk.add(friend);
            bytes += size;
        }
        chunks.add(chunk);
        if (chunks.size() > MAX_PARTS) {
            throw new IllegalArgumentException("a friends list of " + p.getFriendsCount() + " needs " + chunks.size()
                    + " parts; at most " + MAX_PARTS);
        }
        List<RouteWire.Presence> out = new ArrayList<>(chunks.size());
        for (int i = 0; i < chunks.size(); i++) {
            out.add(shape.toBuilder().setPart(i).setParts(chunks.size()).addAllFriends(chunks.get(i)).build());
        }
        return out;
    }
}
