package org.gcs.daemon.app;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.HexFormat;

/**
 * The secret an application must present in AppHello on the TCP endpoint: 32 random bytes as 64 lowercase hex digits,
 * new at every daemon start and kept in {@code <state_dir>/api.cookie} (0600), as bitcoind and Tor do. Whoever can read
 * that file is the daemon's OS user (or root), who could read the user's key anyway.
 */
public final class ApiCookie {
    public static final String FILE_NAME = "api.cookie";
    static final int BYTES = 32;

    private final byte[] expected;

    private ApiCookie(String hex) {
        this.expected = hex.getBytes(StandardCharsets.US_ASCII);
    }

    /** Makes a new cookie and writes it, atomically and owner-only, to {@code stateDir/api.cookie}. */
    public static ApiCookie createIn(Path stateDir, SecureRandom random) throws IOException {
        byte[] secret = new byte[BYTES];
        random.nextBytes(secret);
        String hex = HexFormat.of().formatHex(secret);
        OwnerOnlyFiles.write(stateDir.resolve(FILE_NAME), hex + "\n");
        return new ApiCookie(hex);
    }

    /** Whether {@code presented} is this cookie; the time taken does not depend on where they differ. */
    public boolean matches(String presented) {
        return presented != null && MessageDigest.isEqual(expected, presented.getBytes(StandardCharsets.UTF_8));
    }
}
