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
     *         ({@link org.gcs.api.IdentityUnavailableException} when who owns the id cannot be learned now)
     */
    CompletableFuture<Void> verify(UserId user, byte[] publicKey, byte[] message, byte[] signature);

    /**
     * Checks that {@code publicKey} owns {@code user} now, without a signature: the cacheable half of {@link #verify},
     * for a key whose signature was checked before. A node asks it again, every so often, for the devices logged in to
     * it, so that a user whose name moved to another key is disconnected; for schemes whose ids are keys it never
     * changes its answer.
     *
     * @return a future that completes normally when the key owns the id, and fails with {@link AuthenticationException}
     *         otherwise, or with {@link org.gcs.api.IdentityUnavailableException} when ownership cannot be checked now
     */
    CompletableFuture<Void> checkOwner(UserId user, byte[] publicKey);
}
