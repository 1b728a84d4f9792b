package org.gcs.auth.bns;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.gcs.api.IdentityUnavailableException;
import org.gcs.api.UserId;
import org.gcs.api.auth.AuthProvider;
import org.gcs.api.auth.CredentialStore;
import org.gcs.api.auth.UserCredential;
import org.gcs.internal.files.PrivateKeyFiles;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;

/**
 * The daemon's side of a {@code bns} user: her Stacks private key, imported into a key file, and the name it owns. A
 * BNS key cannot be made here (a new key owns no name), so a missing file is an error that says how to import one. The
 * file holds the key as a wallet exports it: 64 hex digits, or 66 ending in {@code 01} (the "compressed" marker); a
 * line end and surrounding blanks are ignored. It must be readable by its owner only, as ssh keys are.
 *
 * <p>Loading asks this bundle's {@link BnsAuthProvider} whether the key owns the name now, so that a daemon configured
 * with the wrong key or a lapsed name stops at once with the reason ("alice.id is owned by SP…, not by SP…") instead of
 * failing every login. When the name service cannot be reached the key is loaded anyway and the node decides at login.
 */
@Component(property = AuthProvider.SCHEME_PROPERTY + "=" + UserId.BNS)
public class BnsCredentialStore implements CredentialStore {
    private static final System.Logger LOG = System.getLogger(BnsCredentialStore.class.getName());
    /** Longer than any lookup the provider lets run ({@link BnsConfig#lookup_timeout_ms}), as a last bound. */
    private static final long OWNER_CHECK_SECONDS = 60;

    /**
     * Optional and dynamic: the store (and so a daemon holding it) stays up while the provider is reconfigured or
     * replaced; without one a key loads unchecked and the node decides at login.
     */
    @Reference(target = "(component.name=org.gcs.auth.bns.BnsAuthProvider)", cardinality = ReferenceCardinality.OPTIONAL,
            policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    private volatile AuthProvider owners;

    /** A store for use in a framework, where DS sets the provider that checks ownership. */
    public BnsCredentialStore() {
    }

    /** A store outside a framework that checks ownership with {@code owners} ({@code null}: loads without a check). */
    public BnsCredentialStore(AuthProvider owners) {
        this.owners = owners;
    }
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
        BnsCredential credential = new BnsCredential(bns.userId(),
                privateKey(keyFile, new String(text, StandardCharsets.US_ASCII).strip()));
        checkOwner(credential, keyFile);
        return credential;
    }

    private void checkOwner(BnsCredential credential, Path keyFile) throws IOException {
        AuthProvider provider = owners;
        if (provider == null) {
            return;
        }
        try {
            provider.checkOwner(credential.user(), credential.publicKey()).get(OWNER_CHECK_SECONDS, TimeUnit.SECONDS);
            LOG.log(System.Logger.Level.INFO, () -> "the key in " + keyFile.toAbsolutePath() + " owns " + credential.user());
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof IdentityUnavailableException) {
                LOG.log(System.Logger.Level.WARNING, "cannot check now that the key in " + keyFile.toAbsolutePath()
                        + " owns " + credential.user() + " (" + cause.getMessage() + "); the node checks it at login");
                return;
            }
            throw new IOException("the key in " + keyFile.toAbsolutePath() + " does not own " + credential.user() + ": "
                    + cause.getMessage() + "; import the private key of the wallet account that owns the name (README,"
                    + " \"BNS users\")", cause);
        } catch (TimeoutException e) {
            LOG.log(System.Logger.Level.WARNING, "no answer within " + OWNER_CHECK_SECONDS + " s on whether the key in "
                    + keyFile.toAbsolutePath() + " owns " + credential.user() + "; the node checks it at login");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("interrupted while checking who owns " + credential.user());
        }
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
