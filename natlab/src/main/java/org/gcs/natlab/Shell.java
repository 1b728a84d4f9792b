package org.gcs.natlab;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs short commands (ip, nft, the lab scripts) with a time bound, collecting their output. */
final class Shell {
    private Shell() {
    }

    /** Exit status and combined output of a finished command. */
    record Result(List<String> command, int exit, String output) {
        boolean ok() {
            return exit == 0;
        }

        Result orThrow() {
            if (exit != 0) {
                throw new IllegalStateException(String.join(" ", command) + " exited " + exit + ":\n" + output);
            }
            return this;
        }
    }

    /**
     * Runs {@code command} and waits at most {@code timeout}; on timeout the command is killed (by its PID) and this
     * throws.
     *
     * @throws IOException if it cannot be started (e.g. the program does not exist)
     */
    static Result run(Duration timeout, List<String> command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Thread reader = new Thread(() -> copy(p.getInputStream(), out), "shell-output");
        reader.setDaemon(true);
        reader.start();
        p.getOutputStream().close();
        if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            p.destroyForcibly();
            p.waitFor(5, TimeUnit.SECONDS);
            throw new IllegalStateException(String.join(" ", command) + " still running after " + timeout + ": killed");
        }
        reader.join(2000);
        synchronized (out) {
            return new Result(command, p.exitValue(), out.toString(StandardCharsets.UTF_8));
        }
    }

    static Result run(Duration timeout, String... command) throws IOException, InterruptedException {
        return run(timeout, List.of(command));
    }

    private static void copy(InputStream in, ByteArrayOutputStream out) {
        byte[] buf = new byte[8192];
        try (in) {
            int n;
            while ((n = in.read(buf)) > 0) {
                synchronized (out) {
                    out.write(buf, 0, n);
                }
            }
        } catch (IOException e) {
            // the process ended; what it wrote so far is kept
        }
    }
}
