package org.gcs.auth.bns;

import java.util.Map;
import java.util.concurrent.CompletableFuture;
import okhttp3.HttpUrl;
import okhttp3.OkHttpClient;

/**
 * The BNS-V2 indexer API ({@code GET /names/{name}/owner}, under {@code /testnet} for testnet): what wallets and the
 * explorer show. Its status decides: active and expiring-soon are {@link NameStatus#ACTIVE}; an owner is returned even
 * for an expired name, so the status is always read. 404 and 400 "Namespace not launched" are {@link NameStatus#UNKNOWN}.
 */
final class IndexerV2Service extends HttpNameService {
    private final boolean testnet;

    IndexerV2Service(OkHttpClient http, HttpUrl base, boolean testnet) {
        super(http, base);
        this.testnet = testnet;
    }

    @Override
    public CompletableFuture<NameRecord> lookup(BnsName name) {
        HttpUrl.Builder url = base.newBuilder();
        if (testnet) {
            url.addPathSegment("testnet");
        }
        url.addPathSegment("names").addPathSegment(name.toString()).addPathSegment("owner");
        return get(url.build()).thenApply(a -> record(name, a));
    }

    private NameRecord record(BnsName name, Answer a) {
        Map<String, Object> o = objectOrUnknown(name, a, 404, 400);
        if (o == null) {
            return new NameRecord(name, NameStatus.UNKNOWN, null);
        }
        String status = Json.string(o, "status");
        NameStatus s = switch (status == null ? "" : status) {
            case "active", "expiring-soon" -> NameStatus.ACTIVE;
            case "grace-period" -> NameStatus.GRACE_PERIOD;
            case "expired" -> NameStatus.EXPIRED;
            case "revoked" -> NameStatus.REVOKED;
            default -> throw new NameServiceException(describe() + " gave " + name + " the unknown status " + status);
        };
        return new NameRecord(name, s, Json.string(o, "owner"));
    }

    @Override
    public String describe() {
        return "BNS-V2 indexer at " + base + (testnet ? " (testnet)" : "");
    }
}
