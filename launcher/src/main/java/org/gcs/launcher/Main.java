package org.gcs.launcher;

import java.nio.file.Path;
import java.util.Arrays;

/**
 * {@code java -jar launcher/target/gcs-launcher.jar demo [--distributed | --bns] [workdir]} runs the local demo (with
 * {@code --distributed}: over three Kademlia nodes instead of one central node; with {@code --bns}: Alice is the BNS
 * user {@code alice.id}, checked against the offline registry, and both ends authenticate each other);
 * {@code bench [N ...]} runs the concurrent-connect benchmark (default N = 10, 100, 500) and prints its table;
 * {@code vsbaseline [N ...]} runs it and the same experiment on the baseline relay ({@link BaselineBench}) in one run;
 * {@code distbench [sizes [users [connects [kills]]]]} compares the central role with Kademlia deployments of the
 * given sizes (default 3,20; 9 users; 30 connects; 10 kills), see {@link DistributedBench};
 * {@code authbench [pairs [quiet-ms]]} compares sequential connects with and without mutual authentication (default 200
 * pairs, 500 ms between one connect's close and the next);
 * {@code soak [minutes [parallel [sample-seconds]]]} connects over and over and samples the processes' descriptors,
 * threads and memory (default 10 minutes, 5 at a time, every 60 s), see {@link SoakBench};
 * {@code nodeload [logins [in-flight [idle [heap-MiB]]]]} measures one central node with simulated daemons over TLS:
 * logins per second and the node's CPU per login, then idle daemons held and the node's heap per daemon (default 5000,
 * 64, 10000, 2048), see {@link NodeLoadBench};
 * {@code registry serve [port [file]]} runs the offline BNS registry on 127.0.0.1 (default 3999,
 * {@code run/bns-registry.txt}) until killed, and {@code registry set file name owner [ACTIVE|GRACE_PERIOD|EXPIRED|REVOKED]}
 * registers, transfers, expires or revokes a name in its file (a running registry answers with it at once).
 */
public final class Main {
    private Main() {
    }

    public static void main(String[] args) throws Exception {
        String command = args.length > 0 ? args[0] : "demo";
        int status;
        switch (command) {
            case "demo" -> status = demo(Arrays.copyOfRange(args, 1, args.length));
            case "bench" -> {
                var results = new ConnectBench(Path.of("run/bench"), System.out).run(ConnectBench.parseSizes(args, 1), 5);
                System.out.println();
                System.out.print(ConnectBench.markdown(results));
                status = results.stream().allMatch(r -> r.failed() == 0) ? 0 : 1;
            }
            case "vsbaseline" -> {
                int[] sizes = ConnectBench.parseSizes(args, 1);
                var gcs = new ConnectBench(Path.of("run/bench"), System.out).run(sizes, 5);
                var baseline = new BaselineBench(Path.of("run/baseline"), System.out).run(sizes, 5);
                System.out.println();
                System.out.println("| N concurrent connects | GCS p50 (ms) | baseline p50 (ms) | GCS/baseline p50 | GCS p99 (ms) | baseline p99 (ms) | GCS wall (ms) | baseline wall (ms) | failed GCS / baseline |");
                System.out.println("|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
                for (int i = 0; i < sizes.length; i++) {
                    var g = gcs.get(i);
                    var b = baseline.get(i);
                    System.out.printf("| %d | %.1f | %.1f | %.2fx | %.1f | %.1f | %.1f | %.1f | %d / %d |%n", g.n(), g.p50Ms(), b.p50Ms(),
                            g.p50Ms() / b.p50Ms(), g.p99Ms(), b.p99Ms(), g.wallMs(), b.wallMs(), g.failed(), b.failed());
                }
                System.out.println("\nMachine: " + ConnectBench.machine());
                status = gcs.stream().allMatch(r -> r.failed() == 0) && baseline.stream().allMatch(r -> r.failed() == 0) ? 0 : 1;
            }
            case "authbench" -> {
                int pairs = args.length > 1 ? Integer.parseInt(args[1]) : 200;
                long quiet = args.length > 2 ? Long.parseLong(args[2]) : AuthBench.QUIET_MILLIS;
                var comparison = new AuthBench(Path.of("run/authbench"), System.out, quiet).run(pairs, 5);
                System.out.println();
                System.out.print(AuthBench.markdown(comparison));
                status = comparison.plain().failed() == 0 && comparison.authenticated().failed() == 0 ? 0 : 1;
            }
            case "distbench" -> {
                int[] sizes = args.length > 1 ? Arrays.stream(args[1].split(",")).mapToInt(Integer::parseInt).toArray()
                        : new int[] {3, 20};
                int users = args.length > 2 ? Integer.parseInt(args[2]) : 9;
                int connects = args.length > 3 ? Integer.parseInt(args[3]) : 30;
                int kills = args.length > 4 ? Integer.parseInt(args[4]) : 10;
                var results = new DistributedBench(Path.of("run/distbench"), System.out).run(sizes, users, connects, 20, kills);
                System.out.println();
                System.out.print(DistributedBench.markdown(results));
                status = results.stream().allMatch(r -> r.sequential().failed() == 0) ? 0 : 1;
            }
            case "soak" -> {
                int minutes = args.length > 1 ? Integer.parseInt(args[1]) : 10;
                int parallel = args.length > 2 ? Integer.parseInt(args[2]) : 5;
                int sampleSeconds = args.length > 3 ? Integer.parseInt(args[3]) : 60;
                var samples = new SoakBench(Path.of("run/soak"), System.out).run(minutes, parallel, sampleSeconds);
                System.out.println();
                System.out.print(SoakBench.markdown(samples));
                status = samples.isEmpty() || samples.get(samples.size() - 1).failed() > 0 ? 1 : 0;
            }
            case "nodeload" -> {
                int logins = args.length > 1 ? Integer.parseInt(args[1]) : 5000;
                int inFlight = args.length > 2 ? Integer.parseInt(args[2]) : 64;
                int idle = args.length > 3 ? Integer.parseInt(args[3]) : 10_000;
                int heapMiB = args.length > 4 ? Integer.parseInt(args[4]) : 2048;
                var result = new NodeLoadBench(Path.of("run/nodeload"), System.out).run(logins, inFlight, idle, heapMiB, 30);
                System.out.println();
                System.out.print(NodeLoadBench.markdown(result));
                status = result.logins().failed() == 0 && result.idle().lost() == 0 ? 0 : 1;
            }
            case "registry" -> status = registry(Arrays.copyOfRange(args, 1, args.length));
            default -> {
                System.err.println("usage: gcs-launcher demo [--distributed | --bns] [workdir] | bench [N ...] | vsbaseline [N ...] | authbench [pairs [quiet-ms]]"
                        + " | distbench [sizes [users [connects [kills]]]] | soak [minutes [parallel [sample-seconds]]]"
                        + " | nodeload [logins [in-flight [idle [heap-MiB]]]] | registry serve|set ...");
                status = 2;
            }
        }
        System.exit(status);
    }

    private static int registry(String[] args) throws Exception {
        if (args.length >= 1 && args[0].equals("serve")) {
            int port = args.length > 1 ? Integer.parseInt(args[1]) : 3999;
            Path file = Path.of(args.length > 2 ? args[2] : "run/bns-registry.txt").toAbsolutePath();
            java.nio.file.Files.createDirectories(file.getParent());
            var registry = org.gcs.bns.registry.BnsRegistry.start(
                    new java.net.InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), port), file);
            System.out.println("BNS registry at " + registry.url() + ", names in " + file + " (Ctrl-C ends it)");
            Thread.currentThread().join();
            return 0;
        }
        if (args.length >= 4 && args[0].equals("set")) {
            var state = args.length > 4 ? org.gcs.bns.registry.BnsRegistry.State.valueOf(args[4])
                    : org.gcs.bns.registry.BnsRegistry.State.ACTIVE;
            org.gcs.bns.registry.BnsRegistry.set(Path.of(args[1]), args[2], args[3], state);
            System.out.println(args[2] + " -> " + args[3] + " " + state);
            return 0;
        }
        System.err.println("usage: gcs-launcher registry serve [port [file]] | registry set file name owner"
                + " [ACTIVE|GRACE_PERIOD|EXPIRED|REVOKED]");
        return 2;
    }

    private static int demo(String[] args) throws Exception {
        Demo.Variant variant = Demo.Variant.CENTRAL;
        Path workDir = Path.of("run/demo");
        for (String arg : args) {
            if (arg.equals("--distributed")) {
                variant = Demo.Variant.DISTRIBUTED;
            } else if (arg.equals("--bns")) {
                variant = Demo.Variant.BNS;
            } else if (arg.startsWith("-")) {
                System.err.println("usage: gcs-launcher demo [--distributed | --bns] [workdir]");
                return 2;
            } else {
                workDir = Path.of(arg);
            }
        }
        return new Demo(workDir, System.out, variant).run();
    }
}
