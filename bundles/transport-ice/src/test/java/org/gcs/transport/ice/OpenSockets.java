package org.gcs.transport.ice;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/** This process's open sockets, read from /proc (Linux): what a leak test counts instead of trusting close(). */
final class OpenSockets {
    private OpenSockets() {
    }

    /** Socket inodes this process holds descriptors for. */
    static Set<String> socketInodes() throws IOException {
        Set<String> out = new HashSet<>();
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            for (Path fd : (Iterable<Path>) fds::iterator) {
                try {
                    String target = Files.readSymbolicLink(fd).toString();
                    if (target.startsWith("socket:[")) {
                        out.add(target.substring(8, target.length() - 1));
                    }
                } catch (IOException e) {
                    // closed while listing
                }
            }
        }
        return out;
    }

    /** The number of UDP sockets (IPv4 and IPv6) this process holds, bound or not. */
    static int udp() throws IOException {
        Set<String> udpInodes = new HashSet<>();
        for (String table : List.of("/proc/net/udp", "/proc/net/udp6")) {
            Path p = Path.of(table);
            if (!Files.exists(p)) {
                continue;
            }
            for (String line : Files.readAllLines(p)) {
                String[] f = line.trim().split("\\s+");
                if (f.length > 9 && !f[0].startsWith("sl")) {
                    udpInodes.add(f[9]);
                }
            }
        }
        Set<String> mine = socketInodes();
        int n = 0;
        for (String inode : mine) {
            if (udpInodes.contains(inode)) {
                n++;
            }
        }
        return n;
    }

    /**
     * Every socket descriptor of this process once the count has not changed for a second (at most 10 s): what earlier
     * tests in this JVM started may still be ending.
     */
    static int settled() throws Exception {
        int last = all();
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(10);
        long stableSince = System.nanoTime();
        while (System.nanoTime() < deadline
                && System.nanoTime() - stableSince < java.util.concurrent.TimeUnit.SECONDS.toNanos(1)) {
            Thread.sleep(100);
            int now = all();
            if (now != last) {
                last = now;
                stableSince = System.nanoTime();
            }
        }
        return last;
    }

    /** Every socket descriptor of this process, of any kind (UDP, TCP, Unix, and sockets never bound). */
    static int all() throws IOException {
        return socketInodes().size();
    }
}
