package org.gcs.api.auth;

import java.io.IOException;
import java.nio.file.Path;
import org.osgi.annotation.versioning.ProviderType;

/** Keeps a user's private key on her device, for one identity scheme; the daemon signs with what it returns. */
@ProviderType
public interface CredentialStore {
    /** The scheme of the credentials this store makes. */
    String scheme();

    /**
     * Loads the credential kept in {@code keyFile}, creating a new key there first if the file does not exist. A created
     * file is readable by its owner only, in a directory made owner-only if it was missing; of callers creating the same
     * file at once exactly one key is made and every caller gets it. An existing file is never replaced: one that
     * cannot be read, or that group or others may access, is an {@link IOException} naming the file.
     *
     * @param name the user's registered name for schemes whose ids are names (BNS); {@code null} where the id derives from the key
     */
    UserCredential loadOrCreate(Path keyFile, String name) throws IOException;
}
