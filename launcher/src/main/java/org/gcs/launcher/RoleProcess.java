package org.gcs.launcher;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * One process this launcher started: its directory, its log, and an optional echo of selected output lines to a
 * console with a prefix. It is ended only through {@link #close()}, by the PID the launcher got when starting it.
 */
public class RoleProcess implements AutoCloseable {
    /** One line per log record, time first, so that several processes' steps read as one story. */
    static final String LOG_FORMAT = "-Djava.util.logging.SimpleFormatter.format=%1$tT.%1$tL %4$s %3$s: %5$s%6$s%n";

    private final String name;
    private final Path dir;
    private final Process process;
    private final Thread pump;

    RoleProcess(String name, Path dir, List<String> command, PrintStream echo, Predicate<String> echoFilter) throws IOException {
        this.name = name;
        this.dir = dir;
        Files.createDirectories(dir);
        ProcessBuilder builder = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true);
        this.process = builder.start();
        Writer log = Files.newBufferedWriter(dir.resolve("process.log"), StandardCharsets.UTF_8);
        this.pump = new Thread(() -> pump(log, echo, echoFilter), name + "-output");
        pump.setDaemon(true);
        pump.start();
    }

    /** A java command line: this JVM's java, one-line logging, the ice4j cloud probe off, then {@code args}. */
    static List<String> java(String... args) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add(LOG_FORMAT);
        command.add("-Dice4j.harvest.mapping.aws.enabled=false");
        command.add("-Xmx256m");
        command.addAll(List.of(args));
        return command;
    }

    private void pump(Writer log, PrintStream echo, Predicate<String> echoFilter) {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
             Writer out = log) {
            String line;
            while ((line = in.readLine()) != null) {
                out.write(line);
                out.write('\n');
                out.flush();
                if (echo != null && echoFilter.test(line)) {
                    echo.println(String.format("%-7s| %s", name, line));
                }
            }
        } catch (IOException e) {
            // the process ended; its log holds what it wrote
        }
    }

    public String name() {
        return name;
    }

    public Path dir() {
        return dir;
    }

    public long pid() {
        return process.pid();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** Waits for the process to end and returns its exit status; throws if it is still running after {@code timeout}. */
    public int waitFor(Duration timeout) throws InterruptedException {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new IllegalStateException(name + " still running after " + timeout);
        }
        return process.exitValue();
    }

    /** The log written so far. */
    public String log() {
        try {
            return Files.readString(dir.resolve("process.log"));
        } catch (IOException e) {
            return "";
        }
    }

    /** Waits until {@code file} (relative to the process directory) exists and reads it as properties. */
    Properties awaitProperties(String file, Duration timeout) throws InterruptedException, IOException {
        Path path = dir.resolve(file);
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException(name + " exited with " + process.exitValue() + " before writing " + file + "\n" + log());
            }
            if (Files.isRegularFile(path) && Files.size(path) > 0) {
                Properties p = new Properties();
                try (var in = Files.newInputStream(path)) {
                    p.load(in);
                }
                return p;
            }
            Thread.sleep(50);
        }
        throw new IllegalStateException(name + " did not write " + path + " within " + timeout + "\n" + log());
    }

    /** Waits until {@code file} exists and returns its trimmed text. */
    String awaitText(String file, Duration timeout) throws InterruptedException, IOException {
        Path path = dir.resolve(file);
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException(name + " exited with " + process.exitValue() + " before writing " + file + "\n" + log());
            }
            if (Files.isRegularFile(path)) {
                String text = Files.readString(path).trim();
                if (!text.isEmpty()) {
                    return text;
                }
            }
            Thread.sleep(50);
        }
        throw new IllegalStateException(name + " did not write " + path + " within " + timeout + "\n" + log());
    }

    /**
     * Kills the process at once (SIGKILL to its PID, as a crash would end it: no shutdown hooks, no goodbyes to
     * peers) and waits for it and its output to end.
     */
    public void kill() {
        if (process.isAlive()) {
            process.destroyForcibly();
            try {
                process.waitFor(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        joinPump();
    }

    /** Ends the process (politely, then forcibly after 5 s) and waits for its output to drain. */
    @Override
    public void close() {
        if (process.isAlive()) {
            process.destroy();
            try {
                if (!process.waitFor(5, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                    process.waitFor(5, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                process.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
        joinPump();
    }

    private void joinPump() {
        try {
            pump.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
