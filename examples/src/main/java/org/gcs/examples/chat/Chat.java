package org.gcs.examples.chat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.gcs.api.AppId;
import org.gcs.api.DeviceId;
import org.gcs.api.UserId;
import org.gcs.api.transport.ChannelType;
import org.gcs.client.GcsClient;
import org.gcs.client.IncomingDecision;
import org.gcs.client.Listener;
import org.gcs.client.PeerConnection;
import org.gcs.client.Status;
import org.gcs.examples.Args;
import org.gcs.examples.DaemonArgs;

/**
 * Line-based chat over a DATA pipe. {@code chat listen} waits for one friend to call, {@code chat call} calls one;
 * then every line typed is sent, every line received is printed as {@code <name>: <line>}. End of input (Ctrl-D)
 * half-closes; the chat ends when both sides have ended or the peer disconnects.
 */
public final class Chat {
    public static final String USAGE = """
              chat listen [--daemon-state DIR] [--daemon-port P] [--app chat] [--wait-seconds 3600]
              chat call   [--daemon-state DIR] [--daemon-port P] --user U --device D [--app chat]
              (--daemon-state: the daemon's state.dir, reached over its Unix socket; with --daemon-port: TCP, with the
               cookie from that directory; default state dir: $GCS_STATE_DIR or ./state)""";
    private static final Duration OPEN_WAIT = Duration.ofMinutes(3);
    private static final Duration DRAIN_WAIT = Duration.ofSeconds(30);
    private static final int MAX_LINE = 64 * 1024;

    private Chat() {
    }

    public static int run(String[] args, InputStream stdin, PrintStream out, PrintStream err) {
        if (args.length == 0) {
            err.println("usage:\n" + USAGE);
            return 2;
        }
        try {
            return switch (args[0]) {
                case "listen" -> listen(Args.parse(args, 1, DaemonArgs.optionsWith("app", "wait-seconds"), Set.of()), stdin, out);
                case "call" -> call(Args.parse(args, 1, DaemonArgs.optionsWith("user", "device", "app"), Set.of()), stdin, out);
                default -> throw new IllegalArgumentException("unknown command: " + args[0]);
            };
        } catch (IllegalArgumentException e) {
            err.println("error: " + e.getMessage());
            err.println("usage:\n" + USAGE);
            return 2;
        } catch (Exception e) {
            Throwable cause = e instanceof ExecutionException && e.getCause() != null ? e.getCause() : e;
            out.println("failed status=" + Status.of(cause).map(Status::name).orElse("ERROR") + " message=" + cause.getMessage());
            return 1;
        }
    }

    private static int listen(Args a, InputStream stdin, PrintStream out) throws Exception {
        AppId app = AppId.of(a.get("app", "chat"));
        long waitSeconds = Long.parseLong(a.get("wait-seconds", "3600"));
        try (GcsClient gcs = DaemonArgs.of(a).connect()) {
            out.println("daemon user=" + gcs.user() + " device=" + gcs.device() + " node_connected=" + gcs.nodeConnected());
            try (Listener listener = gcs.listen(app, request -> {
                out.println("incoming from=" + request.callerDisplayName() + " device=" + request.callerDevice() + " accepted");
                return IncomingDecision.accept();
            })) {
                out.println("listening app=" + app + " port=" + listener.port());
                PeerConnection pipe = listener.accept(Duration.ofSeconds(waitSeconds));
                if (pipe == null) {
                    out.println("failed status=TIMEOUT message=nobody called within " + waitSeconds + " s");
                    return 1;
                }
                return converse(pipe, stdin, out);
            }
        }
    }

    private static int call(Args a, InputStream stdin, PrintStream out) throws Exception {
        AppId app = AppId.of(a.get("app", "chat"));
        UserId user = UserId.parse(a.required("user"));
        DeviceId device = DeviceId.of(a.required("device"));
        try (GcsClient gcs = DaemonArgs.of(a).connect()) {
            out.println("daemon user=" + gcs.user() + " device=" + gcs.device() + " node_connected=" + gcs.nodeConnected());
            out.println("calling user=" + user + " device=" + device + " app=" + app);
            PeerConnection pipe = gcs.open(user, device, app, app, ChannelType.DATA).get(OPEN_WAIT.toSeconds(), TimeUnit.SECONDS);
            return converse(pipe, stdin, out);
        }
    }

    /** Sends stdin lines, prints received lines; returns when the peer has finished (or after a bounded drain). */
    static int converse(PeerConnection pipe, InputStream stdin, PrintStream out) throws Exception {
        try (pipe) {
            out.println("connected " + (pipe.incoming() ? "from=" : "to=") + pipe.remoteUser() + " device=" + pipe.remoteDevice()
                    + " path=" + pipe.path());
            String peer = pipe.remoteUser().toString();
            Thread reader = new Thread(() -> {
                try {
                    BufferedReader in = new BufferedReader(new InputStreamReader(pipe.input(), StandardCharsets.UTF_8));
                    String line;
                    while ((line = in.readLine()) != null) {
                        out.println(peer + ": " + (line.length() > MAX_LINE ? line.substring(0, MAX_LINE) : line));
                    }
                    out.println("peer finished");
                } catch (IOException e) {
                    if (pipe.isOpen()) {
                        out.println("peer connection lost: " + e.getMessage());
                    }
                }
            }, "chat-reader");
            reader.setDaemon(true);
            reader.start();

            BufferedReader keyboard = new BufferedReader(new InputStreamReader(stdin, StandardCharsets.UTF_8));
            OutputStream to = pipe.output();
            String line;
            // a peer that finished its side still reads ours (half-close): keep sending until our input ends
            try {
                while ((line = keyboard.readLine()) != null) {
                    to.write((line + "\n").getBytes(StandardCharsets.UTF_8));
                    to.flush();
                }
                pipe.shutdownOutput();
            } catch (IOException e) {
                out.println("cannot send: " + e.getMessage());
            }
            if (reader.isAlive()) {
                out.println("sent end of chat; waiting for peer");
                reader.join(DRAIN_WAIT.toMillis());
            }
            out.println("chat closed");
            return 0;
        }
    }
}
