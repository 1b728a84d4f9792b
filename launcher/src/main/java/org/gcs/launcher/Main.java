package org.gcs.launcher;

import java.nio.file.Path;

/**
 * {@code java -jar launcher/target/gcs-launcher.jar demo [workdir]} runs the local demo;
 * {@code bench [workdir]} runs the connect benchmark and prints its table.
 */
public final class Main {
    private Main() {
    }

    public static void main(String[] args) throws Exception {
        String command = args.length > 0 ? args[0] : "demo";
        int status;
        switch (command) {
            case "demo" -> status = new Demo(Path.of(args.length > 1 ? args[1] : "run/demo"), System.out).run();
            default -> {
                System.err.println("usage: gcs-launcher demo [workdir]");
                status = 2;
            }
        }
        System.exit(status);
    }
}
