package org.gcs.natlab;

import java.util.Arrays;

/**
 * The lab's devices: two of each {@link NatKind}, so that a same-kind cell (cone × cone) crosses two different NATs.
 * Must match {@code LAB_DEVICES} in {@code natlab/scripts/lab-common.sh} (checked by {@code LabLayoutTest}).
 */
public enum LabDevice {
    NONE1("none1", NatKind.NONE, 101, 0),
    NONE2("none2", NatKind.NONE, 102, 0),
    CONE1("cone1", NatKind.CONE, 103, 3),
    CONE2("cone2", NatKind.CONE, 104, 4),
    SYM1("sym1", NatKind.SYMMETRIC, 105, 5),
    SYM2("sym2", NatKind.SYMMETRIC, 106, 6),
    FW1("fw1", NatKind.FIREWALL, 107, 0),
    FW2("fw2", NatKind.FIREWALL, 108, 0);

    private final String id;
    private final NatKind kind;
    private final int publicHost;
    private final int lan;

    LabDevice(String id, NatKind kind, int publicHost, int lan) {
        this.id = id;
        this.kind = kind;
        this.publicHost = publicHost;
        this.lan = lan;
    }

    /** The device name (also the GCS device id and the namespace suffix). */
    public String id() {
        return id;
    }

    public NatKind kind() {
        return kind;
    }

    /** The namespace the daemon and the applications run in. */
    public String namespace() {
        return NatLab.PREFIX + id;
    }

    /** The NAT's namespace, or the device's own for a public device. */
    public String edgeNamespace() {
        return kind.translated() ? NatLab.PREFIX + id + "-nat" : namespace();
    }

    /** The address the internet sees: the NAT's wan address, or the device's own. */
    public String publicAddress() {
        return NatLab.NET + "." + publicHost;
    }

    /** 192.168.N.2 behind a NAT, else the public address. */
    public String address() {
        return kind.translated() ? "192.168." + lan + ".2" : publicAddress();
    }

    int publicHost() {
        return publicHost;
    }

    int lan() {
        return lan;
    }

    /** The first ({@code index} 1) or second (2) device of {@code kind}. */
    public static LabDevice of(NatKind kind, int index) {
        return Arrays.stream(values()).filter(d -> d.kind == kind).skip(index - 1L).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no device " + index + " of kind " + kind));
    }
}
