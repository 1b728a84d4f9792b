package org.gcs.examples;

import com.google.protobuf.ByteString;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import org.gcs.api.wire.AppWire;
import org.gcs.api.wire.Frames;
import org.gcs.api.wire.NodeWire;
import org.gcs.api.wire.WireVersions;

/**
 * Test double of a daemon that plays both devices on one loopback port: a ConnectApp is offered to the control
 * connection of the (single) ListenIntent and, if accepted, relayed byte for byte to the listener's port. Lets the
 * example's two sides run against each other in one JVM; the real daemons are tested end to end elsewhere.
 */
public final class RelayDaemon implements AutoCloseable {
    private static final int TIMEOUT_MS = 10_000;

    private final ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    private final AtomicReference<Control> control = new AtomicReference<>();
    public final List<Throwable> failures = new CopyOnWriteArrayList<>();

    private record Control(OutputStream out, InputStream in, int port) {
    }

    public RelayDaemon() throws IOException {
        daemonThread("relay-accept", () -> {
            for (int i = 0; i < 100; i++) {
                Socket s = server.accept();
                daemonThread("relay-conn", () -> serve(s));
            }
        });
    }

    public int port() {
        return server.getLocalPort();
    }

    private interface Body {
        void run() throws Exception;
    }

    private void daemonThread(String name, Body body) {
        Thread t = new Thread(() -> {
            try {
                body.run();
            } catch (Throwable e) {
                if (!server.isClosed()) {
                    failures.add(e);
                }
            }
        }, name);
        t.setDaemon(true);
        t.start();
    }

    private static AppWire.AppFrame read(InputStream in) throws IOException {
        byte[] b = Frames.read(in, WireVersions.MAX_FRAME_BYTES);
        return b == null ? null : AppWire.AppFrame.parseFrom(b);
    }

    private static void send(OutputStream out, AppWire.AppFrame f) throws IOException {
        Frames.write(out, f.toByteArray());
    }

    private void serve(Socket s) throws Exception {
        s.setSoTimeout(TIMEOUT_MS);
        InputStream in = new BufferedInputStream(s.getInputStream());
        OutputStream out = s.getOutputStream();
        read(in); // hello
        send(out, AppWire.AppFrame.newBuilder().setWelcome(AppWire.AppWelcome.newBuilder().setProtocolVersion(1)
                .setUserId("pk:alice").setDeviceId("laptop").setNodeConnected(true)).build());
        for (int i = 0; i < 1_000; i++) {
            AppWire.AppFrame f;
            try {
                f = read(in);
            } catch (java.net.SocketTimeoutException e) {
                continue; // idle main / control connections
            }
            if (f == null) {
                s.close();
                return;
            }
            switch (f.getBodyCase()) {
                case GET_FRIENDS -> send(out, AppWire.AppFrame.newBuilder().setFriends(AppWire.Friends.newBuilder()
                        .setRequestId(f.getGetFriends().getRequestId())
                        .addFriends(AppWire.Friend.newBuilder().setUserId("pk:alice").setPetname("me"))).build());
                case LISTEN_INTENT -> {
                    send(out, AppWire.AppFrame.newBuilder().setListenResult(AppWire.ListenResult.newBuilder()
                            .setRequestId(f.getListenIntent().getRequestId()).setStatus(NodeWire.Status.OK)).build());
                    control.set(new Control(out, in, f.getListenIntent().getPort()));
                    return; // the relay reads this connection from now on
                }
                case CONNECT -> {
                    relay(f.getConnect(), s, in, out);
                    return;
                }
                default -> throw new IllegalStateException("unexpected " + f);
            }
        }
    }

    private void relay(AppWire.ConnectApp req, Socket caller, InputStream callerIn, OutputStream callerOut) throws Exception {
        Control c = control.get();
        AppWire.OutgoingConnectionRequestResult.Builder result = AppWire.OutgoingConnectionRequestResult.newBuilder()
                .setRequestId(req.getRequestId()).setConnectionId(ByteString.copyFrom(new byte[] {9, 9}));
        if (c == null) {
            send(callerOut, AppWire.AppFrame.newBuilder().setOutgoingResult(result.setStatus(NodeWire.Status.UNKNOWN_APP)).build());
            return;
        }
        send(c.out(), AppWire.AppFrame.newBuilder().setIncomingRequest(AppWire.IncomingConnectionRequest.newBuilder()
                .setConnectionId(ByteString.copyFrom(new byte[] {9, 9})).setCallerUser("pk:alice").setCallerDevice("laptop")
                .setCallerApp(req.getFromApp()).setApp(req.getApp()).setType(req.getType())).build());
        AppWire.AppFrame decision = read(c.in());
        if (!decision.getIncomingDecision().getAccept()) {
            send(callerOut, AppWire.AppFrame.newBuilder().setOutgoingResult(result.setStatus(NodeWire.Status.REJECTED)).build());
            return;
        }
        Socket callee = new Socket(InetAddress.getLoopbackAddress(), c.port());
        callee.setSoTimeout(TIMEOUT_MS);
        send(c.out(), AppWire.AppFrame.newBuilder().setConnectionOpened(AppWire.ConnectionOpened.newBuilder()
                .setConnectionId(ByteString.copyFrom(new byte[] {9, 9})).setLocalPort(callee.getLocalPort())
                .setPath(AppWire.PathKind.HOST)).build());
        send(callerOut, AppWire.AppFrame.newBuilder().setOutgoingResult(result.setStatus(NodeWire.Status.ACCEPTED)
                .setPath(AppWire.PathKind.HOST)).build());
        daemonThread("relay-to-callee", () -> pump(callerIn, callee.getOutputStream(), callee));
        pump(callee.getInputStream(), callerOut, caller);
    }

    /** Copies until end of stream, then half-closes the other side. */
    private static void pump(InputStream from, OutputStream to, Socket toSocket) throws IOException {
        from.transferTo(to);
        to.flush();
        toSocket.shutdownOutput();
    }

    @Override
    public void close() throws IOException {
        server.close();
    }
}
