package org.gcs.routing.kademlia.dht;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * The network a node's address belongs to, for diversity limits: an IPv4 /24 or an IPv6 /48. Loopback and private
 * addresses are grouped the same way (no exemption: tests on loopback give each node its own 127.0.N.1). An
 * unresolved address is a group of its own, named by its host string. Immutable; any thread.
 */
public final class IpGroup {
    private static final int V4_PREFIX_BYTES = 3;
    private static final int V6_PREFIX_BYTES = 6;

    private final byte[] prefix;
    private final String unresolvedHost;

    private IpGroup(byte[] prefix, String unresolvedHost) {
        this.prefix = prefix;
        this.unresolvedHost = unresolvedHost;
    }

    /** The group of a socket address. */
    public static IpGroup of(InetSocketAddress address) {
        InetAddress ip = address.getAddress();
        if (ip == null) {
            return new IpGroup(new byte[0], address.getHostString());
        }
        byte[] bytes = ip.getAddress();
        int length = ip instanceof Inet4Address ? V4_PREFIX_BYTES : V6_PREFIX_BYTES;
        return new IpGroup(Arrays.copyOf(bytes, length), null);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof IpGroup g && Arrays.equals(prefix, g.prefix)
                && (unresolvedHost == null ? g.unresolvedHost == null : unresolvedHost.equals(g.unresolvedHost));
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(prefix) + (unresolvedHost == null ? 0 : unresolvedHost.hashCode());
    }

    /** {@code v4:0a0001/24}, {@code v6:20010db80001/48} or {@code host:name}. */
    @Override
    public String toString() {
        if (unresolvedHost != null) {
            return "host:" + unresolvedHost;
        }
        String hex = HexFormat.of().formatHex(prefix);
        return prefix.length == V4_PREFIX_BYTES ? "v4:" + hex + "/24" : "v6:" + hex + "/48";
    }
}
