package org.gcs.routing.kademlia.dht;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;

/**
 * One k-bucket of a {@link RoutingTable}: live contacts from least to most recently seen, a replacement cache of
 * newcomers waiting for a place (oldest first), and the liveness check in progress. Not thread-safe: the table's lock
 * guards it.
 */
final class Bucket {
    /** A live contact and what the table knows of it. */
    static final class Entry {
        Contact contact;
        int failures;
        long seenSeq;

        Entry(Contact contact, long seenSeq) {
            this.contact = contact;
            this.seenSeq = seenSeq;
        }
    }

    final LinkedHashMap<Key, Entry> live = new LinkedHashMap<>();
    final LinkedHashMap<Key, Contact> replacements = new LinkedHashMap<>();
    /** The least recently seen contact being pinged because a newcomer wanted its place, or null. */
    Contact checking;
    /** The table's sequence number when that check started: a contact seen after it has proved itself alive. */
    long checkStartedSeq;

    /** Marks {@code entry} as the most recently seen. */
    void touch(Entry entry, long seq) {
        live.remove(entry.contact.key());
        live.put(entry.contact.key(), entry);
        entry.seenSeq = seq;
        entry.failures = 0;
    }

    Entry leastRecentlySeen() {
        return live.values().iterator().next();
    }

    int liveInGroup(IpGroup group, Key except) {
        int n = 0;
        for (Entry e : live.values()) {
            if (e.contact.group().equals(group) && !e.contact.key().equals(except)) {
                n++;
            }
        }
        return n;
    }

    int replacementsInGroup(IpGroup group) {
        int n = 0;
        for (Contact c : replacements.values()) {
            if (c.group().equals(group)) {
                n++;
            }
        }
        return n;
    }

    /** Adds a newcomer to the replacement cache as the newest, dropping the oldest beyond {@code capacity}. */
    void addReplacement(Contact contact, int capacity) {
        replacements.remove(contact.key());
        replacements.put(contact.key(), contact);
        Iterator<Contact> oldest = replacements.values().iterator();
        while (replacements.size() > capacity) {
            oldest.next();
            oldest.remove();
        }
    }

    /** Moves the newest replacement the group limit allows into the live list; returns it, or null when none fits. */
    Contact promote(int maxPerGroup, long seq) {
        List<Contact> newestFirst = new ArrayList<>(replacements.values());
        for (int i = newestFirst.size() - 1; i >= 0; i--) {
            Contact c = newestFirst.get(i);
            if (maxPerGroup == 0 || liveInGroup(c.group(), c.key()) < maxPerGroup) {
                replacements.remove(c.key());
                live.put(c.key(), new Entry(c, seq));
                return c;
            }
        }
        return null;
    }

    List<Contact> liveContacts() {
        List<Contact> out = new ArrayList<>(live.size());
        for (Entry e : live.values()) {
            out.add(e.contact);
        }
        return out;
    }
}
