package org.gcs.auth.bns;

import java.util.Map;
import java.util.concurrent.CompletableFuture;
import okhttp3.HttpUrl;
import okhttp3.OkHttpClient;

/**
 * The BNS v1 names API ({@code GET /v1/names/{name}}): the boot contract's registry. {@code status} "registered" with
 * {@code grace_period} true is {@link NameStatus#GRACE_PERIOD}; "revoked" and "expired" are what they say; a subdomain
 * ("registered_subdomain", or a redirect to a registrar) is refused; 404 is {@link NameStatus#UNKNOWN}.
 */
final class NamesV1Service extends HttpNameService {
    NamesV1Service(OkHttpClient http, HttpUrl base) {
        super(http, base);
    }

    @Override
    public CompletableFuture<NameRecord> lookup(BnsName name) {
        HttpUrl url = base.newBuilder().addPathSegment("v1").addPathSegment("names").addPathSegment(name.toString()).build();
        return get(url).thenApply(a -> record(name, a));
    }

    private NameRecord record(BnsName name, Answer a) {
        Map<String, Object> o = objectOrUnknown(name, a, 404);
        if (o == null) {
            return new NameRecord(name, NameStatus.UNKNOWN, null);
        }
        String status = Json.string(o, "status");
        NameStatus s = switch (status == null ? "" : status) {
            case "registered", "name_update", "name_register", "name_renewal", "name_transfer" ->
                    Boolean.TRUE.equals(o.get("grace_period")) ? NameStatus.GRACE_PERIOD : NameStatus.ACTIVE;
            case "revoked", "name_revoke" -> NameStatus.REVOKED;
            case "expired" -> NameStatus.EXPIRED;
            case "registered_subdomain" -> throw NameServiceException.refusal(describe() + " says " + name
                    + " is a subdomain: subdomains live off chain and are not accepted");
            default -> throw new NameServiceException(describe() + " gave " + name + " the unknown status " + status);
        };
        return new NameRecord(name, s, Json.string(o, "address"));
    }

    @Override
    public String describe() {
        return "BNS v1 names API at " + base;
    }
}
