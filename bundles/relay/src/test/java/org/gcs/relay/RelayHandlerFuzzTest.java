package org.gcs.relay;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.LengthFieldBasedFrameDecoder;
import java.util.ArrayList;
import java.util.List;
import org.gcs.api.wire.RelayWire.Register;
import org.gcs.api.wire.RelayWire.RelayFrame;
import org.gcs.api.wire.WireVersions;
import org.gcs.internal.netty.ProtobufFrameDecoder;
import org.junit.jupiter.api.Timeout;

/**
 * Fuzzes a relay connection above TLS: framing, {@link ProtobufFrameDecoder} and {@link RelayHandler}, as
 * {@link RelayServer} builds them, on an {@link EmbeddedChannel} with a fresh relay per input and a registered peer
 * ("bob") that forwards can reach. Properties: nothing thrown escapes the pipeline; the relay writes only
 * {@link RelayFrame}s; a connection it closed got an error as its last frame; Bob only ever receives forwards from the
 * fuzzed connection's registered id, never from an id it did not register.
 *
 * <p>Input format: byte 0, bit 0: register as "alice" first; then chunks {@code kind:u8 length:u16 bytes}: an even
 * kind is a frame body the harness prefixes with its length, an odd kind raw stream bytes. Seeds:
 * {@code src/test/resources/org/gcs/relay/RelayHandlerFuzzTestInputs/connection/}.
 */
@Timeout(10)
class RelayHandlerFuzzTest {
    private static final int MAX_FRAME_BYTES = 4096;

    @FuzzTest
    void connection(byte[] input) {
        if (input.length == 0) {
            return;
        }
        Registrations registrations = new Registrations(8);
        RelayStats stats = new RelayStats();
        EmbeddedChannel bob = channel(registrations, stats);
        EmbeddedChannel fuzzed = channel(registrations, stats);
        try {
            bob.writeInbound(framed(register("bob").toByteArray()));
            bob.readOutbound();
            if ((input[0] & 1) != 0) {
                fuzzed.writeInbound(framed(register("alice").toByteArray()));
            }
            int i = 1;
            while (i + 3 <= input.length && fuzzed.isActive()) {
                int kind = input[i] & 0xff;
                int length = Math.min(((input[i + 1] & 0xff) << 8) | (input[i + 2] & 0xff), input.length - i - 3);
                byte[] chunk = java.util.Arrays.copyOfRange(input, i + 3, i + 3 + length);
                i += 3 + length;
                fuzzed.writeInbound((kind & 1) == 0 ? framed(chunk) : Unpooled.wrappedBuffer(chunk));
                fuzzed.runPendingTasks();
            }
            List<Object> out = drain(fuzzed);
            assertTrue(out.stream().allMatch(o -> o instanceof RelayFrame), "only RelayFrames are written");
            if (!fuzzed.isActive() && !out.isEmpty()) {
                RelayFrame last = (RelayFrame) out.get(out.size() - 1);
                assertTrue(last.hasError() || last.hasRegistered() || last.hasPong() || last.hasForward(),
                        "a closed connection's last frame: " + last);
            }
            for (Object o : drain(bob)) {
                RelayFrame f = (RelayFrame) o;
                if (f.hasForward()) {
                    String from = f.getForward().getPeer();
                    assertTrue(!from.isEmpty() && !from.equals("bob"), "Bob got a forward from " + from);
                }
            }
        } finally {
            fuzzed.finishAndReleaseAll();
            bob.finishAndReleaseAll();
        }
    }

    private static EmbeddedChannel channel(Registrations registrations, RelayStats stats) {
        return new EmbeddedChannel(new LengthFieldBasedFrameDecoder(MAX_FRAME_BYTES, 0, 4, 0, 4), new ProtobufFrameDecoder<>(RelayFrame.parser()),
                new RelayHandler(registrations, stats, List.of()));
    }

    private static RelayFrame register(String id) {
        return RelayFrame.newBuilder().setRegister(Register.newBuilder().setProtocolVersion(WireVersions.RELAY_PROTOCOL)
                .setId(id)).build();
    }

    private static ByteBuf framed(byte[] body) {
        ByteBuf b = Unpooled.buffer(4 + body.length);
        b.writeInt(body.length);
        b.writeBytes(body);
        return b;
    }

    private static List<Object> drain(EmbeddedChannel c) {
        List<Object> out = new ArrayList<>();
        for (Object o; (o = c.readOutbound()) != null;) {
            out.add(o);
        }
        return out;
    }
}
