package org.gcs.auth.bns;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/**
 * Where a node checks BNS ownership. The default authority is the BNS-V2 indexer: V2 is the registry wallets and the
 * explorer show, names were carried over from v1 in 2024, and after a transfer the two registries may name different
 * owners; the indexer also reports expiry and grace in one answer. {@code contract-v2} asks a Stacks node directly
 * (no indexer to trust, two calls per lookup); {@code names-v1} the old registry, for names never moved to V2.
 */
@ObjectClassDefinition(name = "GCS BNS authentication", description = "Ownership of BNS names for scheme bns logins")
public @interface BnsConfig {
    @AttributeDefinition(description = "which API decides ownership: indexer-v2, contract-v2 or names-v1")
    String service() default "indexer-v2";

    @AttributeDefinition(description = "base URL of that API (the offline registry serves all three on one port)")
    String url() default "http://127.0.0.1:3999";

    @AttributeDefinition(description = "mainnet (SP addresses) or testnet (ST addresses)")
    String network() default "mainnet";

    @AttributeDefinition(description = "seconds an ownership answer is reused: a transferred name stops logging in at"
            + " the latest this long after the transfer")
    int cache_ttl_seconds() default 300;

    @AttributeDefinition(description = "names whose ownership is kept at most")
    int cache_max_entries() default 10_000;

    @AttributeDefinition(description = "milliseconds a lookup may take, connecting included")
    int lookup_timeout_ms() default 5_000;

    @AttributeDefinition(description = "lookups in flight at most; a login beyond fails at once")
    int lookups_max_in_flight() default 32;

    @AttributeDefinition(description = "failed lookups in a row that open the circuit")
    int circuit_failures() default 3;

    @AttributeDefinition(description = "seconds the circuit stays open (longer when the service says retry-after)")
    int circuit_open_seconds() default 30;

    @AttributeDefinition(description = "contract-v2: the BNS-V2 deployer (empty: the official one of the network)")
    String contract_deployer() default "";
}
