package org.gcs.launcher;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A running device daemon process: its user's id, the loopback port of its application API and its state directory,
 * where applications find its Unix socket ({@code GcsClient.local(stateDir())}) and the cookie for that port.
 */
public final class DaemonProcess {
    /** The daemon's INFO record once a node accepted its login: {@code logged in to node <64 hex> at ...}. */
    private static final Pattern LOGGED_IN = Pattern.compile("logged in to node ([0-9a-f]{64}) at ");

    private final RoleProcess process;
    private final String userId;
    private final int apiPort;

    DaemonProcess(RoleProcess process, String userId, int apiPort) {
        this.process = process;
        this.userId = userId;
        this.apiPort = apiPort;
    }

    public RoleProcess process() {
        return process;
    }

    public String userId() {
        return userId;
    }

    /** The TCP port of the application API; applications must present the cookie from {@link #stateDir()}. */
    public int apiPort() {
        return apiPort;
    }

    /** The daemon's {@code state.dir} (absolute): {@code api.socket}, {@code api.cookie}, {@code api.port}, ... */
    public Path stateDir() {
        return process.dir().resolve("state").toAbsolutePath();
    }

    /**
     * The user's handler nodes as this daemon last learned them ({@code state/handlers}, the most preferred first,
     * each {@code host:port#node-id}); empty before it asked a node, or when it was configured with one node only.
     */
    public List<String> handlers() throws IOException {
        Path file = process.dir().resolve("state/handlers");
        if (!Files.isRegularFile(file)) {
            return List.of();
        }
        return Files.readAllLines(file, StandardCharsets.UTF_8).stream()
                .map(String::strip).filter(l -> !l.isEmpty() && !l.startsWith("#")).toList();
    }

    /** The id of the node this daemon logged in to last, as its log says; {@code null} before its first login. */
    public String loggedInNode() {
        Matcher m = LOGGED_IN.matcher(process.log());
        String last = null;
        while (m.find()) {
            last = m.group(1);
        }
        return last;
    }

    /** Waits until the daemon has logged in to a node and returns that node's id. */
    public String awaitLogin(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            String node = loggedInNode();
            if (node != null) {
                return node;
            }
            if (!process.isAlive()) {
                throw new IllegalStateException(process.name() + " exited before logging in:\n" + process.log());
            }
            Thread.sleep(50);
        }
        throw new IllegalStateException(process.name() + " did not log in to a node within " + timeout);
    }

    /** Replaces the user's friends file (user id to petname); the daemon picks the change up by itself. */
    public void writeFriends(Map<String, String> friends) throws IOException {
        StringBuilder text = new StringBuilder("# <user id> <petname>\n");
        friends.forEach((id, petname) -> text.append(id).append(' ').append(petname).append('\n'));
        Path file = process.dir().resolve("friends.txt");
        Path tmp = process.dir().resolve("friends.txt.tmp");
        Files.writeString(tmp, text, StandardCharsets.UTF_8);
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
}
