package org.gcs.auth.bns;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.HexFormat;
import org.gcs.api.UserId;
import org.gcs.api.auth.CredentialStore;
import org.gcs.api.auth.UserCredential;
import org.gcs.internal.files.PrivateKeyFiles;
import org.osgi.service.component.annotations.Component;

/**
 * The daemon's side of a {@code bns} user: her Stacks private key, imported into a key file, and the name it owns. A
 * BNS key cannot be made here (a new key owns no name), so a missing file is an error that says how to import one. The
 * file holds the key as a wallet exports it: 64 hex digits, or 66 ending in {@code 01} (the "compressed" marker); a
 * line end and surrounding blanks are ignored. It must be readable by its owner only, as ssh keys are.
 */
@Component(property = org.gcs.api.auth.AuthProvider.SCHEME_PROPERTY + "=" + UserId.BNS)
public class BnsCredentialStore implements CredentialStore {
    @Override
    public String scheme() {
        return UserId.BNS;
    }

    @Override
    public UserCredential loadOrCreate(Path keyFile, String name) throws IOException {
        if (name == null || name.isBlank()) {
            throw new IOException("a BNS user needs her name (auth.name, say alice.id) next to her key file " + keyFile);
        }
        BnsName bns;
        try {
            bns = BnsName.parse(name.strip());
        } catch (IllegalArgumentException e) {
            throw new IOException("auth.name: " + e.getMessage());
        }
        if (java.nio.file.Files.notExists(keyFile)) {
            throw new NoSuchFileException(keyFile.toAbsolutePath().toString(), null, "no Stacks key here: a BNS name is"
                    + " owned by a key from your wallet, which this daemon cannot make; put its private key here as 64"
                    + " hex digits (66 ending in 01 as wallets export it) and chmod 600 it (see README, \"BNS users\")");
        }
        byte[] text = PrivateKeyFiles.read(keyFile.toAbsolutePath());
        return new BnsCredential(bns.userId(), privateKey(keyFile, new String(text, StandardCharsets.US_ASCII).strip()));
    }

    static byte[] privateKey(Path keyFile, String hex) throws IOException {
        if (hex.length() == 66 && hex.endsWith("01")) {
            hex = hex.substring(0, 64);
        }
        byte[] d;
        try {
            if (hex.length() != 64) {
                throw new IllegalArgumentException(hex.length() + " characters");
            }
            d = HexFormat.of().parseHex(hex);
            Secp256k1.publicKey(d); // in range
        } catch (IllegalArgumentException e) {
            throw new IOException(keyFile.toAbsolutePath() + " is not a Stacks private key (64 hex digits, or 66 ending"
                    + " in 01): " + e.getMessage());
        }
        return d;
    }

    /** A name and the key that should own it; signs Stacks messages. */
    static final class BnsCredential implements UserCredential {
        private final UserId user;
        private final byte[] privateKey;
        private final byte[] publicKey;

        BnsCredential(UserId user, byte[] privateKey) {
            this.user = user;
            this.privateKey = privateKey.clone();
            this.publicKey = Secp256k1.publicKey(privateKey);
        }

        @Override
        public UserId user() {
            return user;
        }

        @Override
        public byte[] publicKey() {
            return publicKey.clone();
        }

        @Override
        public byte[] sign(byte[] message) {
            return Secp256k1.sign(privateKey, StacksMessage.hash(message));
        }

        /** The address of the key, which must own the name ({@code mainnet}: SP, else ST). */
        StacksAddress address(boolean mainnet) {
            return StacksAddress.of(publicKey, mainnet);
        }
    }
}
