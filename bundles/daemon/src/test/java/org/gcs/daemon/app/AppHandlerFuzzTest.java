package org.gcs.daemon.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.google.protobuf.InvalidProtocolBufferException;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import org.gcs.api.wire.AppWire;
import org.gcs.api.wire.AppWire.AppErrorCode;
import org.gcs.api.wire.AppWire.AppFrame;
import org.gcs.api.wire.NodeWire.Status;
import org.gcs.api.wire.WireVersions;
import org.junit.jupiter.api.Timeout;

/**
 * Fuzzes the daemon's application API on one connection: the frame codec ({@code org.gcs.daemon.wire.ProtoFrames}:
 * length prefix, protobuf {@link AppFrame}) and {@link AppHandler} behind it, as {@link AppServer#initPipeline} builds
 * them, on an {@link EmbeddedChannel} with {@link AppHandlerTest.FakeBackend}. Properties: the daemon only writes whole,
 * parsable frames; nothing escapes the pipeline; a connection it closes got an {@code AppError} with a fatal code
 * (malformed, oversize, unsupported version) as its last frame, so a handler failure that closes silently is a finding.
 * Hangs are caught by the per-input {@link Timeout}.
 *
 * <p>Input format: byte 0 holds flags (bit 0: send a valid AppHello first; bit 1: connect attempts end at once with
 * DEVICE_OFFLINE instead of staying pending); then chunks {@code kind:u8 length:u16 bytes}, an even kind one frame
 * body that the harness prefixes with its 4-byte length, an odd kind raw stream bytes. Each chunk is one read. Seeds:
 * {@code src/test/resources/org/gcs/daemon/app/AppHandlerFuzzTestInputs/connection/}.
 */
@Timeout(10)
class AppHandlerFuzzTest {
    private static final Set<AppErrorCode> FATAL = Set.of(AppErrorCode.APP_MALFORMED, AppErrorCode.APP_OVERSIZE,
            AppErrorCode.APP_UNSUPPORTED_VERSION);

    @FuzzTest
    void connection(byte[] input) {
        if (input.length == 0) {
            return;
        }
        AppHandlerTest.FakeBackend backend = new AppHandlerTest.FakeBackend();
        if ((input[0] & 2) != 0) {
            backend.outcome.complete(new AppBackend.ConnectOutcome(Status.DEVICE_OFFLINE, "phone is offline", null));
        }
        EmbeddedChannel channel = new EmbeddedChannel();
        AppServer.initPipeline(channel, backend, AppAdmission.ownerOnly("fuzz", java.time.Duration.ofSeconds(10), 64),
                Runnable::run);
        try {
            if ((input[0] & 1) != 0) {
                channel.writeInbound(frame(AppFrame.newBuilder().setHello(AppWire.AppHello.newBuilder()
                        .setProtocolVersion(WireVersions.APP_PROTOCOL)).build().toByteArray()));
            }
            List<ByteBuf> chunks = chunks(input);
            int written = 0;
            while (written < chunks.size() && channel.isActive()) {
                channel.writeInbound(chunks.get(written++));
                channel.runPendingTasks();
            }
            chunks.subList(written, chunks.size()).forEach(ByteBuf::release);
            channel.checkException();
            assertBehaved(channel);
        } finally {
            channel.finishAndReleaseAll();
        }
    }

    private static void assertBehaved(EmbeddedChannel channel) {
        List<AppFrame> frames = outbound(channel);
        if (!channel.isActive()) {
            AppFrame last = frames.isEmpty() ? null : frames.get(frames.size() - 1);
            assertTrue(last != null && last.hasError() && FATAL.contains(last.getError().getCode()),
                    () -> "closed without a fatal AppError as the last frame: " + frames);
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

    /** Everything written so far, reassembled from length-prefixed bytes into frames. */
    private static List<AppFrame> outbound(EmbeddedChannel channel) {
        ByteBuf all = Unpooled.buffer();
        for (Object out; (out = channel.readOutbound()) != null; ) {
            ByteBuf buf = (ByteBuf) out;
            all.writeBytes(buf);
            buf.release();
        }
        List<AppFrame> frames = new ArrayList<>();
        while (all.readableBytes() >= 4) {
            int length = all.readInt();
            assertTrue(length >= 0 && length <= all.readableBytes(), "the daemon wrote a partial frame");
            byte[] body = new byte[length];
            all.readBytes(body);
            try {
                frames.add(AppFrame.parseFrom(body));
            } catch (InvalidProtocolBufferException e) {
                throw new AssertionError("the daemon wrote an unparsable frame", e);
            }
        }
        assertEquals(0, all.readableBytes(), "the daemon wrote a partial length");
        return frames;
    }

    private static ByteBuf frame(byte[] body) {
        return Unpooled.buffer(4 + body.length).writeInt(body.length).writeBytes(body);
    }
}
