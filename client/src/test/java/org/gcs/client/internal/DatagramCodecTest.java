package org.gcs.client.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import org.junit.jupiter.api.Test;

class DatagramCodecTest {
    @Test
    void writesTwoByteBigEndianLength() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        DatagramCodec.write(out, new byte[] {7, 8, 9});
        DatagramCodec.write(out, new byte[0]);
        assertArrayEquals(new byte[] {0, 3, 7, 8, 9, 0, 0}, out.toByteArray());
    }

    @Test
    void roundTripsUpToTheLimit() throws Exception {
        byte[] max = new byte[DatagramCodec.MAX_DATAGRAM_BYTES];
        max[0] = 1;
        max[max.length - 1] = 2;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        DatagramCodec.write(out, max);
        DatagramCodec.write(out, new byte[] {5});
        ByteArrayInputStream in = new ByteArrayInputStream(out.toByteArray());
        assertArrayEquals(max, DatagramCodec.read(in));
        assertArrayEquals(new byte[] {5}, DatagramCodec.read(in));
        assertNull(DatagramCodec.read(in));
    }

    @Test
    void rejectsTooLongAndTruncatedDatagrams() {
        assertThrows(IllegalArgumentException.class,
                () -> DatagramCodec.write(new ByteArrayOutputStream(), new byte[DatagramCodec.MAX_DATAGRAM_BYTES + 1]));
        assertThrows(EOFException.class, () -> DatagramCodec.read(new ByteArrayInputStream(new byte[] {0})));
        assertThrows(EOFException.class, () -> DatagramCodec.read(new ByteArrayInputStream(new byte[] {0, 4, 1, 2})));
    }
}
