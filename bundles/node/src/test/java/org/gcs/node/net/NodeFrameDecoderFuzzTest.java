package org.gcs.node.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.bouncycastle.crypto.params.Ed25519PrivateKeyParameters;
import org.bouncycastle.crypto.util.PrivateKeyInfoFactory;
import org.gcs.api.DeviceId;
import org.gcs.api.NodeId;
import org.gcs.api.auth.AuthProvider;
import org.gcs.api.auth.AuthTranscript;
import org.gcs.api.auth.UserCredential;
import org.gcs.api.routing.NodeAddress;
import org.gcs.api.wire.NodeWire.Authenticate;
import org.gcs.api.wire.NodeWire.Connect;
import org.gcs.api.wire.NodeWire.ConnectResult;
import org.gcs.api.wire.NodeWire.ErrorCode;
import org.gcs.api.wire.NodeWire.Hello;
import org.gcs.api.wire.NodeWire.NodeFrame;
import org.gcs.api.wire.NodeWire.Ping;
import org.gcs.api.wire.NodeWire.Status;
import org.gcs.api.wire.WireVersions;
import org.gcs.auth.pubkey.PubkeyAuthProvider;
import org.gcs.auth.pubkey.PubkeyCredentialStore;
import org.gcs.node.ice.IceServerDirectory;
import org.gcs.node.session.AuthProviders;
import org.gcs.node.session.ConnectionTable;
import org.gcs.node.session.LocalDevices;
import org.gcs.node.session.SessionContext;
import org.gcs.node.stats.NodeStats;
import org.gcs.routing.central.CentralRouter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Fuzzes a daemon connection above TLS: the framing ({@code LengthFieldBasedFrameDecoder}), {@link NodeFrameDecoder}
 * and the handlers behind them ({@code LoginHandler}, and {@code SessionHandler} once logged in), exactly as
 * {@link NodeChannelInitializer#installProtocol} builds them, on an {@link EmbeddedChannel} with a fresh node per input.
 * Properties: the node only ever writes whole, parsable frames; no input makes it fail with {@code INTERNAL} (its own
 * fault: an exception nobody expected); a connection it closes got an {@code Error} (or a {@code Redirect}) as its last
 * frame, so nothing was written after the error that closed it. Hangs are caught by the per-input {@link Timeout}.
 *
 * <p>Input format, so that the fuzzer reaches past framing and login: byte 0 holds flags (bit 0: log in as Alice
 * first, with a real Ed25519 signature; bit 1: log Bob in on another connection, so that Alice's connects and signals
 * reach someone); then chunks {@code kind:u8 length:u16 bytes}; an even kind is one frame body that the harness
 * prefixes with its 4-byte length, an odd kind is raw stream bytes (partial frames, bad and oversize lengths). Each
 * chunk is one read. Seeds: {@code src/test/resources/org/gcs/node/net/NodeFrameDecoderFuzzTestInputs/connection/}.
 */
@Timeout(10)
class NodeFrameDecoderFuzzTest {
    private static final NodeId NODE_ID = NodeId.fromHex("5a".repeat(32));
    private static final NodeAddress SELF = new NodeAddress(NODE_ID, "127.0.0.1", 7000);
    private static final int MAX_FRAME_BYTES = 4096;
    private static final UserCredential ALICE = credential("alice", 0xA1);
    private static final UserCredential BOB = credential("bob", 0xB0);

    @FuzzTest
    void connection(byte[] input) {
        if (input.length == 0) {
            return;
        }
        SessionContext context = freshNode();
        EmbeddedChannel alice = channel(context);
        EmbeddedChannel bob = channel(context);
        try {
            if ((input[0] & 2) != 0) {
                logIn(bob, BOB, "phone");
            }
            if ((input[0] & 1) != 0) {
                logIn(alice, ALICE, "laptop");
            }
            List<ByteBuf> chunks = chunks(input);
            int written = 0;
            while (written < chunks.size() && alice.isActive()) {
                alice.writeInbound(chunks.get(written++));
                alice.runPendingTasks();
            }
            chunks.subList(written, chunks.size()).forEach(ByteBuf::release);
            alice.runPendingTasks();
            assertBehaved(alice);
            bob.runPendingTasks();
            assertBehaved(bob);
        } finally {
            alice.finishAndReleaseAll();
            bob.finishAndReleaseAll();
        }
    }

    @Test
    void connectWithAnUnknownChannelTypeFromFuzzing() {
        // Found by this fuzz test: a Connect whose type is a number ChannelType does not name closed the caller's
        // connection with INTERNAL (the ConnectRequest builder refuses UNRECOGNIZED). It is a bad request now.
        SessionContext context = freshNode();
        EmbeddedChannel alice = channel(context);
        EmbeddedChannel bob = channel(context);
        try {
            logIn(bob, BOB, "phone");
            logIn(alice, ALICE, "laptop");
            ByteString id = ByteString.copyFrom(new byte[16]);
            alice.writeInbound(frame(NodeFrame.newBuilder().setConnect(Connect.newBuilder().setConnectionId(id)
                    .setCalleeUser(BOB.user().toString()).setCalleeDevice("phone").setCalleeApp("chat")
                    .setCallerApp("chat").setTypeValue(36).setOffer(ByteString.copyFromUtf8("offer"))).build().toByteArray()));
            alice.runPendingTasks();

            ConnectResult result = single(outbound(alice)).getConnectResult();
            assertEquals(id, result.getConnectionId());
            assertEquals(Status.FAILED, result.getStatus());
            assertTrue(result.getMessage().contains("channel type"), result::getMessage);
            bob.runPendingTasks();
            assertEquals(List.of(), outbound(bob), "Bob heard nothing of it");
            alice.writeInbound(frame(NodeFrame.newBuilder().setPing(Ping.newBuilder().setNonce(7)).build().toByteArray()));
            alice.runPendingTasks();
            assertEquals(7, single(outbound(alice)).getPong().getNonce(), "the connection still serves");
        } finally {
            alice.finishAndReleaseAll();
            bob.finishAndReleaseAll();
        }
    }

    /** What a well-behaved node wrote to one connection. */
    private static void assertBehaved(EmbeddedChannel channel) {
        List<NodeFrame> frames = outbound(channel);
        for (NodeFrame frame : frames) {
            assertTrue(!frame.hasError() || frame.getError().getCode() != ErrorCode.INTERNAL,
                    () -> "an input made the node fail on its own: " + frame);
        }
        if (!channel.isActive()) {
            NodeFrame last = frames.isEmpty() ? null : frames.get(frames.size() - 1);
            assertTrue(last != null && (last.hasError() || last.hasRedirect()),
                    () -> "closed without an Error or Redirect as the last frame: " + frames);
        }
    }

    /** The chunks of {@code input} after its flag byte, each as one buffer to read. */
    private static List<ByteBuf> chunks(byte[] input) {
        List<ByteBuf> chunks = new ArrayList<>();
        int at = 1;
        while (at < input.length) {
            int kind = input[at++] & 0xFF;
            int length = at + 1 < input.length ? ((input[at] & 0xFF) << 8) | (input[at + 1] & 0xFF) : 0;
            at = Math.min(at + 2, input.length);
            byte[] bytes = Arrays.copyOfRange(input, at, Math.min(at + length, input.length));
            at += bytes.length;
            chunks.add(kind % 2 == 0 ? frame(bytes) : Unpooled.wrappedBuffer(bytes));
        }
        return chunks;
    }

    private static SessionContext freshNode() {
        AuthProviders providers = new AuthProviders();
        providers.add(new PubkeyAuthProvider(), Map.of(AuthProvider.SCHEME_PROPERTY, "pk"));
        CentralRouter router = new CentralRouter();
        router.start(SELF).join();
        NodeStats stats = new NodeStats();
        ConnectionTable connections = new ConnectionTable();
        return new SessionContext(NODE_ID, providers, router, new LocalDevices(router, connections, stats), connections,
                stats, IceServerDirectory.of(List.of()), Duration.ofSeconds(10), MAX_FRAME_BYTES);
    }

    private static EmbeddedChannel channel(SessionContext context) {
        EmbeddedChannel channel = new EmbeddedChannel();
        NodeChannelInitializer.installProtocol(channel.pipeline(), context);
        return channel;
    }

    /** The real login: Hello, the node's Challenge, Authenticate signed by {@code who}, Welcome. */
    private static void logIn(EmbeddedChannel channel, UserCredential who, String device) {
        channel.writeInbound(frame(NodeFrame.newBuilder().setHello(Hello.newBuilder()
                .setProtocolVersion(WireVersions.NODE_PROTOCOL).setUserId(who.user().toString()).setDeviceId(device)
                .setPublicKey(ByteString.copyFrom(who.publicKey()))).build().toByteArray()));
        channel.runPendingTasks();
        NodeFrame challenge = single(outbound(channel));
        byte[] transcript = AuthTranscript.nodeLogin(NODE_ID, challenge.getChallenge().getNonce().toByteArray(),
                who.user(), DeviceId.of(device));
        channel.writeInbound(frame(NodeFrame.newBuilder().setAuthenticate(Authenticate.newBuilder()
                .setSignature(ByteString.copyFrom(who.sign(transcript)))).build().toByteArray()));
        channel.runPendingTasks();
        NodeFrame welcome = single(outbound(channel));
        assertTrue(welcome.hasWelcome(), welcome::toString);
    }

    /** Everything written so far, reassembled from length-prefixed bytes into frames. */
    private static List<NodeFrame> outbound(EmbeddedChannel channel) {
        ByteBuf all = Unpooled.buffer();
        for (Object out; (out = channel.readOutbound()) != null; ) {
            ByteBuf buf = (ByteBuf) out;
            all.writeBytes(buf);
            buf.release();
        }
        List<NodeFrame> frames = new ArrayList<>();
        while (all.readableBytes() >= 4) {
            int length = all.readInt();
            assertTrue(length >= 0 && length <= all.readableBytes(), "the node wrote a partial frame");
            byte[] body = new byte[length];
            all.readBytes(body);
            try {
                frames.add(NodeFrame.parseFrom(body));
            } catch (InvalidProtocolBufferException e) {
                throw new AssertionError("the node wrote an unparsable frame", e);
            }
        }
        assertEquals(0, all.readableBytes(), "the node wrote a partial length");
        return frames;
    }

    private static NodeFrame single(List<NodeFrame> frames) {
        assertEquals(1, frames.size(), () -> "expected one frame: " + frames);
        return frames.get(0);
    }

    private static ByteBuf frame(byte[] body) {
        return Unpooled.buffer(4 + body.length).writeInt(body.length).writeBytes(body);
    }

    /**
     * The pk user of a fixed Ed25519 key (every byte {@code seedByte}), so that seeds can name Alice and Bob; loaded
     * through the real credential store from a key file that lives only as long as it takes to read it.
     */
    private static UserCredential credential(String name, int seedByte) {
        byte[] seed = new byte[Ed25519PrivateKeyParameters.KEY_SIZE];
        Arrays.fill(seed, (byte) seedByte);
        try {
            byte[] der = PrivateKeyInfoFactory.createPrivateKeyInfo(new Ed25519PrivateKeyParameters(seed, 0)).getEncoded();
            Path dir = Files.createTempDirectory("gcs-fuzz-" + name);
            Path key = dir.resolve(name + ".key");
            Files.writeString(key, "-----BEGIN PRIVATE KEY-----\n"
                    + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der) + "\n-----END PRIVATE KEY-----\n");
            Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("rw-------"));
            UserCredential credential = new PubkeyCredentialStore().loadOrCreate(key, null);
            try (Stream<Path> files = Files.walk(dir)) {
                for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                    Files.delete(p);
                }
            }
            return credential;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
