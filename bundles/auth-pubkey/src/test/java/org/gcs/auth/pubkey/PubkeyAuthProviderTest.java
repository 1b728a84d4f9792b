package org.gcs.auth.pubkey;

import org.gcs.api.auth.AuthProvider;
import org.gcs.api.auth.CredentialStore;
import org.gcs.contracts.AuthProviderContract;

class PubkeyAuthProviderTest extends AuthProviderContract {
    private final PubkeyAuthProvider provider = new PubkeyAuthProvider();
    private final PubkeyCredentialStore store = new PubkeyCredentialStore();

    @Override
    protected AuthProvider provider() {
        return provider;
    }

    @Override
    protected CredentialStore store() {
        return store;
    }
}
