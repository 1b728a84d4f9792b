package org.gcs.auth.bns;

import java.util.concurrent.CompletableFuture;

/**
 * A source of BNS ownership: one API of one server. Implementations never block the calling thread; the future fails
 * with {@link NameServiceException} when the service cannot answer (unreachable, an error status, a malformed or
 * oversize answer, rate limited), never with a guess.
 */
public interface NameService {
    CompletableFuture<NameRecord> lookup(BnsName name);

    /** Names the service in messages and logs ({@code "BNS-V2 indexer at http://…"}). */
    String describe();
}
