package org.gcs.examples.filesend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class FileHeaderTest {
    private static final String SHA = "a".repeat(64);

    @Test
    void roundTripsAndConsumesExactlyTheLine() throws Exception {
        FileHeader h = new FileHeader("holiday photo 1.jpg", 123456789L, SHA);
        byte[] line = h.encode();
        assertEquals("GCSF 1 123456789 " + SHA + " holiday photo 1.jpg\n", new String(line, StandardCharsets.UTF_8));
        byte[] withBody = new byte[line.length + 3];
        System.arraycopy(line, 0, withBody, 0, line.length);
        withBody[line.length] = 'x';
        ByteArrayInputStream in = new ByteArrayInputStream(withBody);
        assertEquals(h, FileHeader.read(in));
        assertEquals('x', in.read(), "the body starts right after the newline");
    }

    @Test
    void unicodeNamesSurvive() throws Exception {
        FileHeader h = new FileHeader("résumé-日本.txt", 0, SHA);
        assertEquals(h, FileHeader.read(new ByteArrayInputStream(h.encode())));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", ".", "..", "a/b", "..\\x", "bad\nname", "tab\tname"})
    void unsafeNamesAreRejected(String name) {
        assertThrows(IllegalArgumentException.class, () -> new FileHeader(name, 1, SHA));
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "HELLO 1 5 aaaa x",
        "GCSF 2 5 " + "a" + " x",
        "GCSF 1 -5 " + "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa" + " x",
        "GCSF 1 five " + "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa" + " x",
        "GCSF 1 5 abc x",
        "GCSF 1 5",
        "GCSF 1 5 " + "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa" + " ../etc/passwd"})
    void malformedHeadersAreRejected(String line) {
        assertThrows(IllegalArgumentException.class, () -> FileHeader.parse(line));
    }

    @Test
    void truncatedAndOverlongLinesFail() {
        assertThrows(EOFException.class, () -> FileHeader.read(new ByteArrayInputStream("GCSF 1 5".getBytes(StandardCharsets.UTF_8))));
        byte[] endless = new byte[FileHeader.MAX_LINE_BYTES + 10];
        java.util.Arrays.fill(endless, (byte) 'a');
        assertThrows(IOException.class, () -> FileHeader.read(new ByteArrayInputStream(endless)));
    }
}
