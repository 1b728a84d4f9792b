package org.gcs.examples.filesend;

import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.gcs.api.AppId;
import org.gcs.api.DeviceId;
import org.gcs.api.UserId;
import org.gcs.api.transport.ChannelType;
import org.gcs.client.Friend;
import org.gcs.client.GcsClient;
import org.gcs.client.IncomingDecision;
import org.gcs.client.IncomingRequest;
import org.gcs.client.Listener;
import org.gcs.client.PeerConnection;
import org.gcs.client.Status;
import org.gcs.examples.Args;
import org.gcs.examples.DaemonArgs;

/**
 * Sends a file to a friend's device ({@code filesend send}) or receives files ({@code filesend receive}) as app
 * {@value #APP}, over a DATA pipe in the format of {@link FileHeader}. Every step prints one line so a demo script can
 * follow it. Exit status: 0 success, 1 failure, 2 usage, 3 the daemon reported a status (printed), 4 the receiver
 * reported a checksum mismatch or another error.
 */
public final class FileSend {
    public static final String APP = "files";
    public static final String USAGE = """
              filesend receive [--daemon-state DIR] [--daemon-port P] --dir OUT [--once] [--wait-seconds 3600]
              filesend send    [--daemon-state DIR] [--daemon-port P] --user U --device D --file F""";
    static final int EXIT_FAILED = 1;
    static final int EXIT_USAGE = 2;
    static final int EXIT_STATUS = 3;
    static final int EXIT_REMOTE = 4;
    private static final Duration OPEN_WAIT = Duration.ofMinutes(3);
    private static final Duration READ_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration QUERY_TIMEOUT = Duration.ofSeconds(10);
    private static final int MAX_NAME_SUFFIX = 1000;
    private static final int CHUNK = 64 * 1024;

    private FileSend() {
    }

    public static int run(String[] args, PrintStream out, PrintStream err) {
        if (args.length == 0) {
            err.println("usage:\n" + USAGE);
            return EXIT_USAGE;
        }
        Args a;
        try {
            a = switch (args[0]) {
                case "receive" -> Args.parse(args, 1, DaemonArgs.optionsWith("dir", "wait-seconds"), Set.of("once"));
                case "send" -> Args.parse(args, 1, DaemonArgs.optionsWith("user", "device", "file"), Set.of());
                default -> throw new IllegalArgumentException("unknown command: " + args[0]);
            };
        } catch (IllegalArgumentException e) {
            err.println("error: " + e.getMessage());
            err.println("usage:\n" + USAGE);
            return EXIT_USAGE;
        }
        try {
            return args[0].equals("send") ? send(a, out) : receive(a, out);
        } catch (IllegalArgumentException e) {
            err.println("error: " + e.getMessage());
            return EXIT_USAGE;
        } catch (Exception e) {
            Throwable cause = e instanceof ExecutionException && e.getCause() != null ? e.getCause() : e;
            if (cause instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            java.util.Optional<Status> status = Status.of(cause);
            out.println("failed status=" + status.map(Status::name).orElse("ERROR") + " message=" + cause.getMessage());
            return status.isPresent() ? EXIT_STATUS : EXIT_FAILED;
        }
    }

    // ---- send ----

    private static int send(Args a, PrintStream out) throws Exception {
        DaemonArgs daemon = DaemonArgs.of(a);
        UserId user = UserId.parse(a.required("user"));
        DeviceId device = DeviceId.of(a.required("device"));
        Path file = Path.of(a.required("file"));
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException("not a regular file: " + file);
        }
        String name = FileHeader.checkName(file.getFileName().toString());

        out.println("hashing file=" + file);
        long length = Files.size(file);
        String sha256 = sha256(file);
        out.println("hashed sha256=" + sha256 + " bytes=" + length);
        FileHeader header = new FileHeader(name, length, sha256);

        try (GcsClient gcs = daemon.connect()) {
            out.println("daemon user=" + gcs.user() + " device=" + gcs.device() + " node_connected=" + gcs.nodeConnected());
            out.println("opening user=" + user + " device=" + device + " app=" + APP);
            AppId app = AppId.of(APP);
            try (PeerConnection pipe = gcs.open(user, device, app, app, ChannelType.DATA).get(OPEN_WAIT.toSeconds(), TimeUnit.SECONDS)) {
                out.println("connected path=" + pipe.path() + " connection=" + pipe.connectionId());
                OutputStream to = pipe.output();
                to.write(header.encode());
                Progress progress = new Progress(out, "sent", length);
                try (InputStream in = Files.newInputStream(file)) {
                    byte[] buf = new byte[CHUNK];
                    long left = length;
                    while (left > 0) {
                        int n = in.read(buf, 0, (int) Math.min(buf.length, left));
                        if (n < 0) {
                            throw new EOFException("file shrank while sending: " + file);
                        }
                        to.write(buf, 0, n);
                        left -= n;
                        progress.advance(n);
                    }
                }
                to.flush();
                progress.finish();
                out.println("waiting for verification");
                pipe.setReadTimeout(READ_TIMEOUT);
                String answer = FileHeader.readLine(pipe.input());
                if (!answer.equals("OK " + sha256)) {
                    out.println("failed status=REMOTE message=receiver answered: " + answer);
                    return EXIT_REMOTE;
                }
                out.println("sent sha256=" + sha256 + " bytes=" + length + " path=" + pipe.path());
                return 0;
            }
        }
    }

    // ---- receive ----

    private static int receive(Args a, PrintStream out) throws Exception {
        DaemonArgs daemon = DaemonArgs.of(a);
        Path dir = Path.of(a.required("dir"));
        boolean once = a.flag("once");
        long waitSeconds = Long.parseLong(a.get("wait-seconds", "3600"));
        Files.createDirectories(dir);
        try (GcsClient gcs = daemon.connect()) {
            out.println("daemon user=" + gcs.user() + " device=" + gcs.device() + " node_connected=" + gcs.nodeConnected());
            try (Listener listener = gcs.listen(AppId.of(APP), request -> decide(gcs, request, out))) {
                out.println("listening app=" + APP + " port=" + listener.port() + " dir=" + dir);
                while (listener.isOpen()) {
                    PeerConnection pipe = listener.accept(Duration.ofSeconds(waitSeconds));
                    if (pipe == null) {
                        out.println("failed status=TIMEOUT message=no file within " + waitSeconds + " s");
                        return EXIT_FAILED;
                    }
                    int result = receiveOne(pipe, dir, out);
                    if (once) {
                        return result;
                    }
                }
                return EXIT_FAILED;
            }
        }
    }

    /** Accepts callers on the user's friends list (asked afresh for every request). */
    private static IncomingDecision decide(GcsClient gcs, IncomingRequest request, PrintStream out) {
        String who = "incoming from=" + request.callerUser() + " petname=" + (request.callerPetname().isEmpty() ? "-" : request.callerPetname())
                + " device=" + request.callerDevice() + " app=" + request.callerApp();
        List<Friend> friends;
        try {
            friends = gcs.friends().get(QUERY_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        } catch (Exception e) {
            out.println(who + " rejected reason=cannot read friends: " + e);
            return IncomingDecision.reject();
        }
        boolean friend = friends.stream().anyMatch(f -> f.user().equals(request.callerUser()));
        out.println(who + (friend ? " accepted" : " rejected reason=not a friend"));
        return IncomingDecision.of(friend);
    }

    /** Receives one file; returns 0 if it verified. */
    static int receiveOne(PeerConnection pipe, Path dir, PrintStream out) {
        try (pipe) {
            pipe.setReadTimeout(READ_TIMEOUT);
            InputStream in = new BufferedInputStream(pipe.input(), CHUNK);
            FileHeader header;
            try {
                header = FileHeader.read(in);
            } catch (IllegalArgumentException e) {
                answer(pipe, "ERR " + e.getMessage());
                out.println("failed status=BAD_HEADER message=" + e.getMessage());
                return EXIT_FAILED;
            }
            out.println("receiving name=" + header.name() + " bytes=" + header.length() + " from=" + pipe.remoteUser()
                    + " device=" + pipe.remoteDevice() + " path=" + pipe.path());
            Path part = dir.resolve("." + header.name() + ".part");
            MessageDigest digest = sha256Digest();
            Progress progress = new Progress(out, "received", header.length());
            try (OutputStream file = Files.newOutputStream(part)) {
                byte[] buf = new byte[CHUNK];
                long left = header.length();
                while (left > 0) {
                    int n = in.read(buf, 0, (int) Math.min(buf.length, left));
                    if (n < 0) {
                        throw new EOFException("sender stopped after " + (header.length() - left) + " of " + header.length() + " bytes");
                    }
                    digest.update(buf, 0, n);
                    file.write(buf, 0, n);
                    left -= n;
                    progress.advance(n);
                }
            } catch (IOException e) {
                Files.deleteIfExists(part);
                throw e;
            }
            progress.finish();
            String actual = FileHeader.hex(digest.digest());
            if (!actual.equals(header.sha256())) {
                Files.deleteIfExists(part);
                answer(pipe, "ERR sha256 mismatch: got " + actual);
                out.println("mismatch expected=" + header.sha256() + " actual=" + actual + " bytes=" + header.length());
                return EXIT_REMOTE;
            }
            Path target = freeName(dir, header.name());
            Files.move(part, target, StandardCopyOption.ATOMIC_MOVE);
            answer(pipe, "OK " + actual);
            out.println("verified sha256=" + actual + " bytes=" + header.length() + " path=" + target);
            return 0;
        } catch (IOException e) {
            out.println("failed status=IO message=" + e.getMessage());
            return EXIT_FAILED;
        }
    }

    /** {@code name}, or {@code name.1}, {@code name.2}, ... if taken: never overwrites a file. */
    static Path freeName(Path dir, String name) throws IOException {
        Path p = dir.resolve(name);
        for (int i = 1; Files.exists(p) && i <= MAX_NAME_SUFFIX; i++) {
            p = dir.resolve(name + "." + i);
        }
        if (Files.exists(p)) {
            throw new IOException("no free name for " + name + " in " + dir);
        }
        return p;
    }

    private static void answer(PeerConnection pipe, String line) {
        try {
            pipe.output().write((line + "\n").getBytes(StandardCharsets.UTF_8));
            pipe.output().flush();
            pipe.shutdownOutput();
        } catch (IOException e) {
            // the sender will notice the missing answer
        }
    }

    static String sha256(Path file) throws IOException {
        MessageDigest digest = sha256Digest();
        try (InputStream in = new DigestInputStream(Files.newInputStream(file), digest)) {
            in.transferTo(OutputStream.nullOutputStream());
        }
        return FileHeader.hex(digest.digest());
    }

    private static MessageDigest sha256Digest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JRE has SHA-256", e);
        }
    }
}
