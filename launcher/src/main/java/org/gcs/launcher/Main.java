package org.gcs.launcher;

import java.nio.file.Path;

/**
 * {@code java -jar launcher/target/gcs-launcher.jar demo [workdir]} runs the local demo;
 * {@code bench [N ...]} runs the concurrent-connect benchmark (default N = 10, 100, 500) and prints its table;
 * {@code authbench [pairs [quiet-ms]]} compares sequential connects with and without mutual authentication (default 200
 * pairs, 500 ms between one connect's close and the next).
 */
public final class Main {
    private Main() {
    }

    public static void main(String[] args) throws Exception {
        String command = args.length > 0 ? args[0] : "demo";
        int status;
        switch (command) {
            case "demo" -> status = new Demo(Path.of(args.length > 1 ? args[1] : "run/demo"), System.out).run();
            case "bench" -> {
                var results = new ConnectBench(Path.of("run/bench"), System.out).run(ConnectBench.parseSizes(args, 1), 5);
                System.out.println();
                System.out.print(ConnectBench.markdown(results));
                status = results.stream().allMatch(r -> r.failed() == 0) ? 0 : 1;
            }
            case "authbench" -> {
                int pairs = args.length > 1 ? Integer.parseInt(args[1]) : 200;
                long quiet = args.length > 2 ? Long.parseLong(args[2]) : AuthBench.QUIET_MILLIS;
                var comparison = new AuthBench(Path.of("run/authbench"), System.out, quiet).run(pairs, 5);
                System.out.println();
                System.out.print(AuthBench.markdown(comparison));
                status = comparison.plain().failed() == 0 && comparison.authenticated().failed() == 0 ? 0 : 1;
            }
            default -> {
                System.err.println("usage: gcs-launcher demo [workdir] | bench [N ...] | authbench [pairs [quiet-ms]]");
                status = 2;
            }
        }
        System.exit(status);
    }
}
