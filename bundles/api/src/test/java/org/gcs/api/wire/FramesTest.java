package org.gcs.api.wire;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import org.gcs.api.ProtocolException;
import org.gcs.api.wire.NodeWire.Hello;
import org.gcs.api.wire.NodeWire.NodeFrame;
import org.junit.jupiter.api.Test;

class FramesTest {
    @Test
    void framesRoundTripAProtobufMessage() throws Exception {
        NodeFrame hello = NodeFrame.newBuilder()
                .setHello(Hello.newBuilder().setProtocolVersion(WireVersions.NODE_PROTOCOL).setUserId("pk:a").setDeviceId("d"))
                .build();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Frames.write(out, hello.toByteArray());
        Frames.write(out, new byte[0]);
        ByteArrayInputStream in = new ByteArrayInputStream(out.toByteArray());
        assertEquals(hello, NodeFrame.parseFrom(Frames.read(in, 100)));
        assertArrayEquals(new byte[0], Frames.read(in, 100));
        assertNull(Frames.read(in, 100));
    }

    @Test
    void oversizeLengthIsRejectedBeforeReadingTheBody() {
        byte[] header = {0x7f, (byte) 0xff, (byte) 0xff, (byte) 0xff};
        assertThrows(ProtocolException.class, () -> Frames.read(new ByteArrayInputStream(header), 1024));
        byte[] negative = {(byte) 0xff, 0, 0, 1};
        assertThrows(ProtocolException.class, () -> Frames.read(new ByteArrayInputStream(negative), 1024));
        assertThrows(ProtocolException.class, () -> Frames.write(new ByteArrayOutputStream(), new byte[WireVersions.MAX_FRAME_BYTES + 1]));
    }

    @Test
    void truncatedFrameIsAnEofNotAHang() {
        byte[] truncated = {0, 0, 0, 5, 1, 2};
        assertThrows(EOFException.class, () -> Frames.read(new ByteArrayInputStream(truncated), 1024));
    }

    @Test
    void garbageBytesDoNotParseAsAFrameSilently() {
        byte[] garbage = {(byte) 0xff, (byte) 0xff, (byte) 0xff};
        assertThrows(com.google.protobuf.InvalidProtocolBufferException.class, () -> NodeFrame.parseFrom(garbage));
    }
}
