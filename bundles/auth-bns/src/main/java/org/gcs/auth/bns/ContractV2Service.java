package org.gcs.auth.bns;

import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import okhttp3.HttpUrl;
import okhttp3.OkHttpClient;

/**
 * A Stacks node's read-only calls to the BNS-V2 contract: {@code get-owner-name (name) (namespace)} says whether the
 * name exists and who owns it (it does not check expiry), {@code can-resolve-name (namespace) (name)} whether it resolves
 * now (not expired past its grace period, not revoked); note the argument orders differ. A name that exists but does
 * not resolve is {@link NameStatus#EXPIRED} (the contract does not say which of expired and revoked).
 */
final class ContractV2Service extends HttpNameService {
    /** The BNS-V2 deployment (mainnet); not the older buggy one at SP2JMM3PH9AGMASBD11SHG4HWDS6CTY9MGN6CW48G. */
    static final String MAINNET_DEPLOYER = "SP2QEZ06AGJ3RKJPBV14SY1V5BBFNAW33D96YPGZF";
    static final String TESTNET_DEPLOYER = "ST2QEZ06AGJ3RKJPBV14SY1V5BBFNAW33D9SZJQ0M";
    static final String CONTRACT = "BNS-V2";
    private static final HexFormat HEX = HexFormat.of();

    private final String deployer;

    ContractV2Service(OkHttpClient http, HttpUrl node, String deployer) {
        super(http, node);
        this.deployer = deployer;
    }

    @Override
    public CompletableFuture<NameRecord> lookup(BnsName name) {
        String owner = args(Clarity.buff(name.nameBytes()), Clarity.buff(name.namespaceBytes()));
        String resolve = args(Clarity.buff(name.namespaceBytes()), Clarity.buff(name.nameBytes()));
        return call("get-owner-name", owner).thenCompose(exists -> {
            if (!(exists instanceof Clarity.Ok ok) || !(ok.value() instanceof Clarity.Some some)) {
                return CompletableFuture.completedFuture(new NameRecord(name, NameStatus.UNKNOWN, null));
            }
            if (!(some.value() instanceof Clarity.Principal holder)) {
                throw new NameServiceException(describe() + ": get-owner-name gave no principal for " + name);
            }
            return call("can-resolve-name", resolve).thenApply(can -> {
                if (can instanceof Clarity.Ok resolved && resolved.value() instanceof Clarity.Tuple t
                        && t.get("owner") instanceof Clarity.Principal p) {
                    return new NameRecord(name, NameStatus.ACTIVE, p.toString());
                }
                if (can instanceof Clarity.Err) {
                    return new NameRecord(name, NameStatus.EXPIRED, holder.toString());
                }
                throw new NameServiceException(describe() + ": can-resolve-name answered " + can + " for " + name);
            });
        });
    }

    private String args(byte[] first, byte[] second) {
        return "{\"sender\":" + Json.quote(deployer) + ",\"arguments\":[" + Json.quote("0x" + HEX.formatHex(first)) + ","
                + Json.quote("0x" + HEX.formatHex(second)) + "]}";
    }

    private CompletableFuture<Clarity.Value> call(String function, String body) {
        HttpUrl url = base.newBuilder().addPathSegments("v2/contracts/call-read").addPathSegment(deployer)
                .addPathSegment(CONTRACT).addPathSegment(function).build();
        return postJson(url, body).thenApply(a -> {
            if (a.code() != 200) {
                throw new NameServiceException(describe() + " answered HTTP " + a.code() + " to " + function);
            }
            Map<String, Object> o = Json.object(a.body(), describe());
            if (!Boolean.TRUE.equals(o.get("okay"))) {
                throw new NameServiceException(describe() + ": " + function + " failed: " + Json.string(o, "cause"));
            }
            String result = Json.string(o, "result");
            if (result == null || !result.startsWith("0x")) {
                throw new NameServiceException(describe() + ": " + function + " gave no result");
            }
            try {
                return Clarity.decode(HEX.parseHex(result.substring(2)));
            } catch (IllegalArgumentException | org.gcs.api.ProtocolException e) {
                throw new NameServiceException(describe() + ": " + function + " gave a malformed result: "
                        + e.getMessage(), 0, e);
            }
        });
    }

    @Override
    public String describe() {
        return "Stacks node at " + base + " (" + deployer + "." + CONTRACT + ")";
    }
}
