package org.gcs.itests;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.Base64;
import java.util.Collection;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * Users of the {@code pk} scheme made by a test before their daemon first starts, and where a Kademlia deployment
 * places them: their key is written where the daemon reads it ({@code state/user.key}, PKCS#8 PEM as
 * {@code auth-pubkey} keeps it), so the user id, and with it her handler nodes, are known in advance.
 */
final class KademliaUsers {
    /** The X.509 SubjectPublicKeyInfo of an Ed25519 key is this 12-byte header and the raw 32-byte key. */
    private static final int SPKI_HEADER = 12;
    private static final String BASE32 = "abcdefghijklmnopqrstuvwxyz234567";

    private KademliaUsers() {
    }

    /**
     * Writes a new Ed25519 user key to {@code daemonDir/state/user.key} (replacing any) and returns the user id it
     * names: {@code pk:} and the raw public key in lower-case unpadded RFC 4648 base32.
     */
    static String newUser(Path daemonDir) throws IOException {
        KeyPair pair;
        try {
            pair = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("Ed25519 is missing from this JVM", e);
        }
        String pem = "-----BEGIN PRIVATE KEY-----\n"
                + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(pair.getPrivate().getEncoded())
                + "\n-----END PRIVATE KEY-----\n";
        Path state = daemonDir.resolve("state");
        Files.createDirectories(state);
        // owner-only, as the daemon requires of a private key file (a temporary file is created rw-------)
        Path tmp = Files.createTempFile(state, ".user.key", ".tmp");
        Files.writeString(tmp, pem, StandardCharsets.US_ASCII);
        Files.move(tmp, state.resolve("user.key"), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        byte[] spki = pair.getPublic().getEncoded();
        return "pk:" + base32(Arrays.copyOfRange(spki, SPKI_HEADER, spki.length));
    }

    /** Writes the friends file a daemon started in {@code daemonDir} reads (user id to petname). */
    static void writeFriends(Path daemonDir, Map<String, String> friends) throws IOException {
        StringBuilder text = new StringBuilder("# <user id> <petname>\n");
        friends.forEach((id, petname) -> text.append(id).append(' ').append(petname).append('\n'));
        Files.createDirectories(daemonDir);
        Files.writeString(daemonDir.resolve("friends.txt"), text, StandardCharsets.UTF_8);
    }

    /**
     * The {@code replicas} node ids (64 hex) closest to the user's key SHA-256({@code "gcs-user:" + user}) in XOR
     * distance, closest first: the user's handlers in a deployment of exactly these nodes.
     */
    static List<String> handlers(String user, Collection<String> nodeIds, int replicas) {
        BigInteger key = new BigInteger(1, sha256(("gcs-user:" + user).getBytes(StandardCharsets.UTF_8)));
        return nodeIds.stream()
                .sorted(Comparator.comparing((String id) -> new BigInteger(1, HexFormat.of().parseHex(id)).xor(key)))
                .limit(replicas).toList();
    }

    /** The node id at the end of a daemon-facing address {@code host:port#node-id}. */
    static String idOf(String address) {
        return address.substring(address.lastIndexOf('#') + 1);
    }

    private static byte[] sha256(byte[] data) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(data);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String base32(byte[] data) {
        StringBuilder out = new StringBuilder();
        int buffer = 0;
        int bits = 0;
        for (byte b : data) {
            buffer = (buffer << 8) | (b & 0xff);
            bits += 8;
            while (bits >= 5) {
                out.append(BASE32.charAt((buffer >>> (bits - 5)) & 31));
                bits -= 5;
            }
        }
        if (bits > 0) {
            out.append(BASE32.charAt((buffer << (5 - bits)) & 31));
        }
        return out.toString();
    }
}
