package org.gcs.launcher;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;

/** A running device daemon process: its user's id and the loopback port of its application API. */
public final class DaemonProcess {
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

    public int apiPort() {
        return apiPort;
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
