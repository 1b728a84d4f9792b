package org.gcs.examples.filesend;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * The filesend wire format over a DATA pipe, all UTF-8 text lines ending in {@code \n} except the file bytes:
 *
 * <pre>
 * sender   -> GCSF 1 &lt;length&gt; &lt;sha256-hex&gt; &lt;name&gt;\n     header: decimal length, 64 lower-case hex digits,
 *                                                  the file's base name (rest of the line, may hold spaces)
 * sender   -> &lt;length&gt; bytes of the file
 * receiver -> OK &lt;sha256-hex&gt;\n                      the received bytes hash to the announced value
 *          or ERR &lt;reason&gt;\n                         mismatch, bad name, write failure
 * </pre>
 *
 * A header line is at most {@value #MAX_LINE_BYTES} bytes; a name is 1-255 bytes, not {@code .} or {@code ..},
 * without {@code /}, {@code \}, or control characters.
 */
public record FileHeader(String name, long length, String sha256) {
    public static final String MAGIC = "GCSF";
    public static final int VERSION = 1;
    public static final int MAX_LINE_BYTES = 1024;
    private static final int MAX_NAME_BYTES = 255;
    private static final Pattern HEX64 = Pattern.compile("[0-9a-f]{64}");

    public FileHeader {
        checkName(name);
        if (length < 0) {
            throw new IllegalArgumentException("length must not be negative: " + length);
        }
        if (sha256 == null || !HEX64.matcher(sha256).matches()) {
            throw new IllegalArgumentException("sha256 must be 64 lower-case hex digits: " + sha256);
        }
    }

    /** Rejects names that could escape the target directory or confuse a terminal. */
    public static String checkName(String name) {
        if (name == null || name.isEmpty() || name.equals(".") || name.equals("..")) {
            throw new IllegalArgumentException("bad file name: " + name);
        }
        if (name.getBytes(StandardCharsets.UTF_8).length > MAX_NAME_BYTES) {
            throw new IllegalArgumentException("file name longer than " + MAX_NAME_BYTES + " bytes");
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c == '/' || c == '\\' || Character.isISOControl(c)) {
                throw new IllegalArgumentException("file name holds a forbidden character: " + name.replaceAll("\\p{Cntrl}", "?"));
            }
        }
        return name;
    }

    public static String hex(byte[] digest) {
        return HexFormat.of().formatHex(digest);
    }

    /** The header line, newline included. */
    public byte[] encode() {
        return (MAGIC + " " + VERSION + " " + length + " " + sha256 + " " + name + "\n").getBytes(StandardCharsets.UTF_8);
    }

    /** Parses a header line (without its newline). */
    public static FileHeader parse(String line) {
        String[] parts = line.split(" ", 5);
        if (parts.length != 5 || !parts[0].equals(MAGIC)) {
            throw new IllegalArgumentException("not a filesend header: " + abbreviate(line));
        }
        if (!parts[1].equals(Integer.toString(VERSION))) {
            throw new IllegalArgumentException("unsupported filesend version " + abbreviate(parts[1]));
        }
        long length;
        try {
            length = Long.parseLong(parts[2]);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("bad length: " + abbreviate(parts[2]));
        }
        return new FileHeader(parts[4], length, parts[3].toLowerCase(Locale.ROOT));
    }

    /** Reads the header line from {@code in}, consuming exactly the line and its newline. */
    public static FileHeader read(InputStream in) throws IOException {
        return parse(readLine(in));
    }

    /**
     * Reads one {@code \n}-terminated UTF-8 line of at most {@link #MAX_LINE_BYTES} bytes, byte by byte so that nothing
     * after it is consumed.
     *
     * @throws EOFException if the stream ends first
     */
    public static String readLine(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        for (int i = 0; i <= MAX_LINE_BYTES; i++) {
            int b = in.read();
            if (b < 0) {
                throw new EOFException("stream ended inside a line");
            }
            if (b == '\n') {
                return line.toString(StandardCharsets.UTF_8);
            }
            line.write(b);
        }
        throw new IOException("line longer than " + MAX_LINE_BYTES + " bytes");
    }

    private static String abbreviate(String s) {
        String clean = s.replaceAll("\\p{Cntrl}", "?");
        return clean.length() > 80 ? clean.substring(0, 80) + "..." : clean;
    }
}
