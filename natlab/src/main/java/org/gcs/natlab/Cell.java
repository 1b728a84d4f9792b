package org.gcs.natlab;

import java.util.ArrayList;
import java.util.List;

/**
 * One cell of the NAT matrix: the caller's NAT kind and the callee's. The caller is the first device of its kind, the
 * callee the second of its kind, so a diagonal cell crosses two different NATs.
 */
public record Cell(NatKind caller, NatKind callee) {
    public LabDevice callerDevice() {
        return LabDevice.of(caller, 1);
    }

    public LabDevice calleeDevice() {
        return LabDevice.of(callee, 2);
    }

    /** {@code cone-symmetric}. */
    public String id() {
        return caller.label() + "-" + callee.label();
    }

    @Override
    public String toString() {
        return id();
    }

    /** The ten unordered pairs of kinds (diagonal included), in declaration order of {@link NatKind}. */
    public static List<Cell> all() {
        List<Cell> cells = new ArrayList<>();
        NatKind[] kinds = NatKind.values();
        for (int i = 0; i < kinds.length; i++) {
            for (int j = i; j < kinds.length; j++) {
                cells.add(new Cell(kinds[i], kinds[j]));
            }
        }
        return cells;
    }

    /**
     * The cells named in {@code spec} (comma-separated {@code kind-kind}, e.g. {@code cone-cone,sym-fw}; short labels
     * allowed, order inside a pair free), or {@link #all()} when {@code spec} is null or blank.
     *
     * @throws IllegalArgumentException for a name that is not a cell
     */
    public static List<Cell> select(String spec) {
        if (spec == null || spec.isBlank()) {
            return all();
        }
        List<Cell> chosen = new ArrayList<>();
        for (String name : spec.split(",")) {
            if (name.isBlank()) {
                continue;
            }
            String[] kinds = name.trim().split("-");
            if (kinds.length != 2) {
                throw new IllegalArgumentException("not a cell: '" + name + "' (expected kind-kind, e.g. cone-cone)");
            }
            NatKind a = NatKind.parse(kinds[0]);
            NatKind b = NatKind.parse(kinds[1]);
            Cell cell = a.ordinal() <= b.ordinal() ? new Cell(a, b) : new Cell(b, a);
            if (!chosen.contains(cell)) {
                chosen.add(cell);
            }
        }
        return chosen;
    }
}
