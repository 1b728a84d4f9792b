package org.gcs.routing.kademlia.link;

import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.CorruptedFrameException;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.util.NetUtil;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.gcs.api.NodeId;
import org.gcs.api.ProtocolException;
import org.gcs.routing.kademlia.link.wire.LinkWire.LinkFrame;
import org.junit.jupiter.api.Timeout;

/**
 * Fuzzes what another node's bytes reach on a link above TLS: the framing and {@link LinkFrameDecoder} as
 * {@link LinkCodec#install} builds them, on an {@link EmbeddedChannel}, and {@link HelloCheck} for every hello decoded
 * (with the certificate taken to prove the id the hello claims, so that the check goes on to the listen address).
 * Properties: the codec yields frames with a body or fails with a protocol error the link handler closes on
 * ({@link ProtocolException}, {@link TooLongFrameException}, {@link CorruptedFrameException}); the hello check accepts
 * or throws {@link LinkClosedException}, and an accepted listen address is an IP literal or left unresolved, never looked up. Hangs are caught
 * by the per-input {@link Timeout}.
 *
 * <p>Input format: chunks {@code kind:u8 length:u16 bytes}; an even kind is one frame body that the harness prefixes
 * with its 4-byte length, an odd kind raw stream bytes (partial frames, bad and oversize lengths). Each chunk is one
 * read. Seeds: {@code src/test/resources/org/gcs/routing/kademlia/link/LinkCodecFuzzTestInputs/frames/}.
 */
@Timeout(10)
class LinkCodecFuzzTest {
    private static final int MAX_FRAME_BYTES = 4096;
    private static final NodeId SELF = NodeId.fromHex("5e".repeat(32));
    private static final NodeId CERTIFIED = NodeId.fromHex("ce".repeat(32));
    private static final InetSocketAddress REMOTE = new InetSocketAddress("127.0.0.2", 40000);

    @FuzzTest
    void frames(byte[] input) {
        EmbeddedChannel channel = new EmbeddedChannel();
        LinkCodec.install(channel.pipeline(), MAX_FRAME_BYTES);
        List<ByteBuf> chunks = chunks(input);
        int written = 0;
        try {
            while (written < chunks.size()) {
                try {
                    channel.writeInbound(chunks.get(written++));
                } catch (Exception e) {
                    assertProtocolError(e);
                    return; // the link handler closes the link here
                }
                for (LinkFrame frame; (frame = channel.readInbound()) != null; ) {
                    assertNotEquals(LinkFrame.BodyCase.BODY_NOT_SET, frame.getBodyCase());
                    if (frame.hasHello()) {
                        checkHello(frame);
                    }
                }
            }
        } finally {
            chunks.subList(written, chunks.size()).forEach(ByteBuf::release);
            channel.close();
        }
    }

    private static void checkHello(LinkFrame frame) {
        NodeId certified = frame.getHello().getNodeId().size() == NodeId.LENGTH
                ? NodeId.of(frame.getHello().getNodeId().toByteArray()) : CERTIFIED;
        HelloCheck.PeerHello hello;
        try {
            hello = HelloCheck.check(frame.getHello(), certified, null, SELF, REMOTE);
        } catch (LinkClosedException refused) {
            return; // malformed, another version, or an identity that does not check out: the link closes
        }
        assertTrue(hello.listenAddress().getPort() >= 1 && hello.listenAddress().getPort() <= 65535);
        String host = frame.getHello().getListenHost();
        assertTrue(host.isEmpty() || hello.listenAddress().isUnresolved()
                || NetUtil.isValidIpV4Address(host) || NetUtil.isValidIpV6Address(host),
                () -> "listen host " + host + " was resolved to " + hello.listenAddress());
    }

    private static void assertProtocolError(Exception failure) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof ProtocolException || t instanceof TooLongFrameException || t instanceof CorruptedFrameException) {
                return;
            }
        }
        throw new AssertionError("the link codec failed with something the link does not expect", failure);
    }

    /** The chunks of {@code input}, each as one buffer to read. */
    private static List<ByteBuf> chunks(byte[] input) {
        List<ByteBuf> chunks = new ArrayList<>();
        int at = 0;
        while (at < input.length) {
            int kind = input[at++] & 0xFF;
            int length = at + 1 < input.length ? ((input[at] & 0xFF) << 8) | (input[at + 1] & 0xFF) : 0;
            at = Math.min(at + 2, input.length);
            byte[] bytes = Arrays.copyOfRange(input, at, Math.min(at + length, input.length));
            at += bytes.length;
            chunks.add(kind % 2 == 0
                    ? Unpooled.buffer(4 + bytes.length).writeInt(bytes.length).writeBytes(bytes)
                    : Unpooled.wrappedBuffer(bytes));
        }
        return chunks;
    }
}
