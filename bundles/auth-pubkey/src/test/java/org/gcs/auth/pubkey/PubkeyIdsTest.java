package org.gcs.auth.pubkey;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import org.bouncycastle.crypto.params.Ed25519PrivateKeyParameters;
import org.gcs.api.UserId;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PubkeyIdsTest {
    @Test
    void base32MatchesRfc4648Vectors() {
        String[][] vectors = {{"", ""}, {"f", "my"}, {"fo", "mzxq"}, {"foo", "mzxw6"}, {"foob", "mzxw6yq"},
            {"fooba", "mzxw6ytb"}, {"foobar", "mzxw6ytboi"}};
        for (String[] v : vectors) {
            assertEquals(v[1], Base32.encode(v[0].getBytes(StandardCharsets.US_ASCII)));
            assertArrayEquals(v[0].getBytes(StandardCharsets.US_ASCII), Base32.decode(v[1]));
        }
        assertThrows(IllegalArgumentException.class, () -> Base32.decode("MZXQ"));
        assertThrows(IllegalArgumentException.class, () -> Base32.decode("mzxr"), "non-zero padding bits");
        assertThrows(IllegalArgumentException.class, () -> Base32.decode("m"));
    }

    @Test
    void userIdIsThePublicKeyInBase32() {
        // RFC 8032 test 1: secret 9d61b19d..., public d75a9801...
        byte[] secret = HexFormat.of().parseHex("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60");
        byte[] expectedPublic = HexFormat.of().parseHex("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a");
        PubkeyCredential credential = new PubkeyCredential(new Ed25519PrivateKeyParameters(secret, 0));
        assertArrayEquals(expectedPublic, credential.publicKey());
        UserId id = credential.user();
        assertEquals("pk", id.scheme());
        assertEquals(52, id.value().length());
        assertArrayEquals(expectedPublic, PubkeyIds.keyOf(UserId.parse(id.toString())));
        // RFC 8032 test 1 signature of the empty message
        assertEquals("e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b",
                HexFormat.of().formatHex(credential.sign(new byte[0])));
    }

    @Test
    void foreignOrShortIdsAreNotKeys() {
        assertThrows(IllegalArgumentException.class, () -> PubkeyIds.keyOf(UserId.parse("bns:alice.id")));
        assertThrows(IllegalArgumentException.class, () -> PubkeyIds.keyOf(UserId.parse("pk:mzxw6ytboi")));
        assertThrows(IllegalArgumentException.class, () -> PubkeyIds.userOf(new byte[31]));
    }

    @Test
    void keyFileIsStandardPkcs8Pem(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("user.key");
        new PubkeyCredentialStore().loadOrCreate(file, null);
        String pem = Files.readString(file);
        assertEquals(true, pem.startsWith("-----BEGIN PRIVATE KEY-----\n"));
        assertEquals(true, pem.endsWith("-----END PRIVATE KEY-----\n"));
    }
}
