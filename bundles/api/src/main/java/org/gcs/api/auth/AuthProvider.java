package org.gcs.api.auth;

import java.util.concurrent.CompletableFuture;
import org.gcs.api.AuthenticationException;
import org.gcs.api.UserId;
import org.osgi.annotation.versioning.ProviderType;

/**
 * Verifies that a message was signed by the owner of a user id, for one identity scheme. A GCS node looks providers up
 * by the {@link #SCHEME_PROPERTY} service property, so a provider can be installed, replaced or removed while the node runs.
 */
@ProviderType
public interface AuthProvider {
    /** Service property naming the scheme a provider serves ({@code pk}, {@code bns}). */
    String SCHEME_PROPERTY = "gcs.auth.scheme";

    /** The scheme this provider serves; equal to {@link UserId#scheme()} of the users it verifies. */
    String scheme();

    /**
     * Checks that {@code signature} over {@code message} was made with {@code publicKey} and that this key owns {@code user}.
     *
     * @return a future that completes normally when both hold, and fails with {@link AuthenticationException} otherwise
     */
    CompletableFuture<Void> verify(UserId user, byte[] publicKey, byte[] message, byte[] signature);
}
