package org.gcs.examples;

import java.util.Arrays;
import org.gcs.examples.chat.Chat;
import org.gcs.examples.filesend.FileSend;

/**
 * Entry point of {@code gcs-examples.jar}: {@code java -jar gcs-examples.jar chat|filesend <command> [options]}.
 * Exits with the example's status (0 = success, 2 = usage).
 */
public final class Main {
    private Main() {
    }

    public static void main(String[] args) {
        System.exit(run(args));
    }

    static int run(String[] args) {
        if (args.length == 0) {
            return usage();
        }
        String[] rest = Arrays.copyOfRange(args, 1, args.length);
        return switch (args[0]) {
            case "chat" -> Chat.run(rest, System.in, System.out, System.err);
            case "filesend" -> FileSend.run(rest, System.out, System.err);
            default -> usage();
        };
    }

    private static int usage() {
        System.err.println("usage: java -jar gcs-examples.jar chat|filesend <command> [options]");
        System.err.println(Chat.USAGE);
        System.err.println(FileSend.USAGE);
        return 2;
    }
}
