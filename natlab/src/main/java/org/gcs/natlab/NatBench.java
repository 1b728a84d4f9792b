package org.gcs.natlab;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.gcs.launcher.RoleProcess;

/**
 * Benchmark of the NAT matrix (not a test): per cell, the time from the caller app's {@code open} to the pipe being
 * open (median of several connects), the path kinds both ends report, and the throughput of one bulk transfer, with
 * what the node's and coturn's interfaces carried meanwhile. Prints a markdown table. Needs root (network namespaces).
 *
 * <pre>
 * ./mvnw -q -B install -DskipTests
 * java -jar natlab/target/gcs-natlab.jar [--runs 5] [--bulk-mib 32] [--cells cone-cone,sym-sym] [--work run/natbench]
 * </pre>
 */
public final class NatBench {
    private static final Pattern OPEN = Pattern.compile("(?m)^open run=\\d+ ms=(\\d+) path=(\\w+)");
    private static final Pattern OPEN_FAILED = Pattern.compile("(?m)^open run=\\d+ failed (.*)$");
    private static final Pattern BULK = Pattern.compile("(?m)^bulk bytes=(\\d+) ms=(\\d+) mbit_s=([\\d.]+) path=(\\w+)");
    private static final Pattern DRAINED = Pattern.compile("(?m)^drained bytes=(\\d+) path=(\\w+)");

    private NatBench() {
    }

    /** One measured cell. */
    record Row(Cell cell, int ok, int runs, List<Long> openMs, String callerPath, String calleePath, double mbits,
            long turnBytes, long nodeBytes, String failure) {
        long median() {
            List<Long> s = openMs.stream().sorted().toList();
            return s.isEmpty() ? -1 : s.get((s.size() - 1) / 2);
        }
    }

    public static void main(String[] args) throws Exception {
        int runs = 5;
        int bulkMib = 32;
        String cells = null;
        Path work = Path.of("run/natbench");
        for (int i = 0; i + 1 < args.length; i += 2) {
            switch (args[i]) {
                case "--runs" -> runs = Integer.parseInt(args[i + 1]);
                case "--bulk-mib" -> bulkMib = Integer.parseInt(args[i + 1]);
                case "--cells" -> cells = args[i + 1];
                case "--work" -> work = Path.of(args[i + 1]);
                default -> {
                    System.err.println("usage: NatBench [--runs 5] [--bulk-mib 32] [--cells a-b,...] [--work run/natbench]");
                    System.exit(2);
                }
            }
        }
        System.exit(run(Cell.select(cells), runs, bulkMib, work, System.out));
    }

    static int run(List<Cell> cells, int runs, int bulkMib, Path work, PrintStream out) throws Exception {
        Path repo = NatLab.findRepo();
        NatLab.installTestDeps(repo);
        Optional<String> unavailable = NatLab.unavailable();
        if (unavailable.isPresent()) {
            out.println("NatBench cannot run here: " + unavailable.get());
            return 2;
        }
        Set<LabDevice> devices = EnumSet.noneOf(LabDevice.class);
        cells.forEach(c -> {
            devices.add(c.callerDevice());
            devices.add(c.calleeDevice());
        });
        List<Row> rows = new ArrayList<>();
        try (NatLab lab = NatLab.start(repo, work, devices, out)) {
            for (Cell cell : cells) {
                Row row = measure(lab, cell, runs, bulkMib);
                out.printf(Locale.ROOT, "natbench: %s ok=%d/%d median=%d ms paths=%s/%s bulk=%.1f Mbit/s coturn=%d B node=%d B%s%n",
                        cell, row.ok(), row.runs(), row.median(), row.callerPath(), row.calleePath(), row.mbits(),
                        row.turnBytes(), row.nodeBytes(), row.failure() == null ? "" : " failure: " + row.failure());
                rows.add(row);
            }
        }
        out.println();
        out.print(markdown(rows, runs, bulkMib));
        return rows.stream().allMatch(r -> r.failure() == null) ? 0 : 1;
    }

    private static Row measure(NatLab lab, Cell cell, int runs, int bulkMib) throws Exception {
        LabDevice caller = cell.callerDevice();
        LabDevice callee = cell.calleeDevice();
        String jar = lab.natlabJar().toString();
        lab.awaitVisible(caller, callee, "bench-" + cell.id());
        RoleProcess listener = lab.startApp(callee, "bench-" + cell.id() + "-listen", "-cp", jar, Probe.class.getName(),
                "listen", "--daemon-state", lab.daemon(callee).stateDir().toString(), "--seconds", "900");
        try {
            NatLab.awaitLine(listener, "listening", Duration.ofSeconds(30));
            InterfaceCounters node0 = lab.nodeCounters();
            InterfaceCounters turn0 = lab.turnCounters();
            RoleProcess probe = lab.startApp(caller, "bench-" + cell.id() + "-connect", "-cp", jar, Probe.class.getName(),
                    "connect", "--daemon-state", lab.daemon(caller).stateDir().toString(),
                    "--user", lab.daemon(callee).userId(), "--device", callee.id(),
                    "--runs", Integer.toString(runs), "--bulk-mib", Integer.toString(bulkMib));
            int exit;
            try {
                exit = probe.waitFor(Duration.ofSeconds(70L * (runs + 1) + 60));
            } catch (IllegalStateException stillRunning) {
                probe.close();
                exit = -1;
            }
            Thread.sleep(300);
            long node = lab.nodeCounters().since(node0).totalBytes();
            long turn = lab.turnCounters().since(turn0).totalBytes();
            String text = probe.log();
            List<Long> opens = new ArrayList<>();
            String callerPath = null;
            Matcher m = OPEN.matcher(text);
            while (m.find()) {
                opens.add(Long.parseLong(m.group(1)));
                callerPath = m.group(2);
            }
            double mbits = Double.NaN;
            Matcher b = BULK.matcher(text);
            if (b.find()) {
                mbits = Double.parseDouble(b.group(3));
                callerPath = b.group(4);
            }
            String calleePath = null;
            Matcher d = DRAINED.matcher(listener.log());
            while (d.find()) {
                calleePath = d.group(2);
            }
            String failure = null;
            if (exit != 0) {
                Matcher f = OPEN_FAILED.matcher(text);
                failure = f.find() ? f.group(1) : "probe exit " + exit + ": " + NatLab.tail(text, 3).replace('\n', ' ');
            }
            return new Row(cell, opens.size(), runs, opens, callerPath, calleePath, mbits, turn, node, failure);
        } finally {
            listener.close();
        }
    }

    static String markdown(List<Row> rows, int runs, int bulkMib) throws Exception {
        StringBuilder md = new StringBuilder();
        md.append("| caller × callee | path (caller / callee) | connect median (ms) | connect min–max (ms) | ok | bulk ")
                .append(bulkMib).append(" MiB (Mbit/s) | via coturn (MiB) | via node (KiB) |\n");
        md.append("|---|---|---:|---:|---:|---:|---:|---:|\n");
        for (Row r : rows) {
            String range = r.openMs().isEmpty() ? "–"
                    : r.openMs().stream().mapToLong(Long::longValue).min().getAsLong() + "–"
                            + r.openMs().stream().mapToLong(Long::longValue).max().getAsLong();
            md.append(String.format(Locale.ROOT, "| %s × %s | %s / %s | %s | %s | %d/%d | %s | %.1f | %.0f |%n",
                    r.cell().caller().label(), r.cell().callee().label(), orDash(r.callerPath()), orDash(r.calleePath()),
                    r.median() < 0 ? "–" : Long.toString(r.median()), range, r.ok(), r.runs(),
                    Double.isNaN(r.mbits()) ? "–" : String.format(Locale.ROOT, "%.1f", r.mbits()),
                    r.turnBytes() / 1048576.0, r.nodeBytes() / 1024.0));
        }
        md.append("\n").append(runs).append(" connects per cell (time from GcsClient.open to the pipe being open), then one ")
                .append(bulkMib).append(" MiB transfer until the callee app confirmed every byte. Machine: ").append(machine()).append('\n');
        return md.toString();
    }

    private static String orDash(String s) {
        return s == null ? "–" : s;
    }

    private static String machine() throws Exception {
        String cpu = "unknown CPU";
        Path cpuinfo = Path.of("/proc/cpuinfo");
        if (Files.isReadable(cpuinfo)) {
            cpu = Files.readAllLines(cpuinfo).stream().filter(l -> l.startsWith("model name")).findFirst()
                    .map(l -> l.substring(l.indexOf(':') + 1).trim()).orElse(cpu);
        }
        return Runtime.getRuntime().availableProcessors() + " cores (" + cpu + "), Java " + System.getProperty("java.version")
                + ", Linux " + System.getProperty("os.version");
    }
}
