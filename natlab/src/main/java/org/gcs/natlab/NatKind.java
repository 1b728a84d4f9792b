package org.gcs.natlab;

import java.util.Locale;

/**
 * What stands between a lab device and the lab's internet, with its behaviour in the terms of RFC 4787 as measured in
 * the lab (the nftables rules are in {@code natlab/scripts/lab-up.sh}).
 */
public enum NatKind {
    /** A public address on the internet bridge, no filter: anyone can send to it. */
    NONE("none", "none", "no mapping (public address)", "none"),
    /**
     * {@code masquerade}: conntrack keeps the source port whenever it is free, so one internal address and port keeps
     * one external port for every destination (endpoint-independent mapping); inbound packets pass only when they
     * match a conntrack entry, i.e. answer a destination address and port the device sent to (address-and-port-
     * dependent filtering). A "port-restricted cone".
     */
    CONE("cone", "cone", "endpoint-independent", "address-and-port-dependent"),
    /**
     * {@code masquerade random,fully-random}: every new destination gets a new random external port
     * (address-and-port-dependent mapping), filtering as {@link #CONE}.
     */
    SYMMETRIC("symmetric", "sym", "address-and-port-dependent", "address-and-port-dependent"),
    /**
     * A public address with a stateful filter that drops every inbound UDP datagram not answering one the device sent
     * (conntrack: address-and-port-dependent filtering), no translation.
     */
    FIREWALL("firewall", "fw", "no mapping (public address)", "address-and-port-dependent");

    private final String label;
    private final String shortLabel;
    private final String mapping;
    private final String filtering;

    NatKind(String label, String shortLabel, String mapping, String filtering) {
        this.label = label;
        this.shortLabel = shortLabel;
        this.mapping = mapping;
        this.filtering = filtering;
    }

    /** The name used in cell ids, device names and {@code lab-common.sh}. */
    public String label() {
        return label;
    }

    /** RFC 4787 mapping behaviour. */
    public String mapping() {
        return mapping;
    }

    /** RFC 4787 filtering behaviour. */
    public String filtering() {
        return filtering;
    }

    /** Whether the device sits in a LAN behind a NAT namespace. */
    public boolean translated() {
        return this == CONE || this == SYMMETRIC;
    }

    /** {@code none}, {@code cone}, {@code symmetric} / {@code sym}, {@code firewall} / {@code fw}, any case. */
    public static NatKind parse(String text) {
        String t = text.trim().toLowerCase(Locale.ROOT);
        for (NatKind k : values()) {
            if (k.label.equals(t) || k.shortLabel.equals(t)) {
                return k;
            }
        }
        throw new IllegalArgumentException("unknown NAT kind '" + text + "' (none, cone, symmetric|sym, firewall|fw)");
    }
}
