package org.gcs.routing.kademlia.dht;

/**
 * The parameters of one DHT node, every limit and default in one place. Immutable: each {@code withX} checks its value
 * and returns a new config. Any thread.
 *
 * <table>
 * <caption>Parameters</caption>
 * <tr><th>parameter</th><th>default</th><th>meaning</th></tr>
 * <tr><td>{@code k}</td><td>20</td><td>bucket size, lookup result size, contacts per answer</td></tr>
 * <tr><td>{@code alpha}</td><td>3</td><td>queries a lookup keeps in flight</td></tr>
 * <tr><td>{@code rpcTimeoutMillis}</td><td>2 000</td><td>an RPC not answered by then has failed</td></tr>
 * <tr><td>{@code slowQueryMillis}</td><td>1 000</td><td>a lookup query unanswered by then stops holding one of the
 *     alpha slots (its answer is still used if it comes): a dead contact delays a lookup by this, not by the RPC
 *     timeout. Above a round trip plus a link set-up (TCP and TLS: about three round trips)</td></tr>
 * <tr><td>{@code lookupTimeoutMillis}</td><td>30 000</td><td>a lookup ends by then with the closest contacts that
 *     answered so far</td></tr>
 * <tr><td>{@code maxQueriesPerLookup}</td><td>200</td><td>a lookup ends after sending this many queries (bounds the
 *     work a flood of bogus referrals can cause)</td></tr>
 * <tr><td>{@code refreshIntervalMillis}</td><td>3 600 000 (1 h)</td><td>a bucket without a lookup for this long is
 *     refreshed by a lookup of a random key in it; buckets are checked every quarter of it</td></tr>
 * <tr><td>{@code maxFailures}</td><td>2</td><td>consecutive failed RPCs after which a contact leaves the routing table
 *     (replaced from the bucket's replacement cache)</td></tr>
 * <tr><td>{@code maxPerGroupPerBucket}</td><td>2</td><td>contacts of one IP group (IPv4 /24, IPv6 /48) in one
 *     bucket; 0 = no limit</td></tr>
 * <tr><td>{@code maxPerGroupPerResult}</td><td>1</td><td>contacts of one IP group in a lookup result (and so among a
 *     key's handlers); 0 = no limit. One, so that the r handlers of a user always sit in r different networks: one
 *     network can neither hold a majority of them nor take them all down. A private network living inside a single
 *     /24 must set 0.</td></tr>
 * <tr><td>{@code rateLimitBurst}</td><td>50</td><td>inbound queries (find-node and ping) one sender may send at
 *     once</td></tr>
 * <tr><td>{@code rateLimitPerSecond}</td><td>10</td><td>sustained inbound queries per sender per second</td></tr>
 * <tr><td>{@code rateLimitSenders}</td><td>10 000</td><td>senders whose budgets are remembered (least recently seen
 *     forgotten first)</td></tr>
 * <tr><td>{@code cacheMinTtlMillis} / {@code cacheMaxTtlMillis}</td><td>10 000 / 600 000</td><td>bounds of the handler
 *     cache's time to live</td></tr>
 * <tr><td>{@code cacheChurnFactor}</td><td>0.02</td><td>c in TTL = clamp(c / observed contact death rate); see
 *     {@link LookupCache}</td></tr>
 * <tr><td>{@code cacheMaxEntries}</td><td>10 000</td><td>keys the handler cache holds (least recently used dropped
 *     first)</td></tr>
 * <tr><td>{@code churnWindowMillis}</td><td>900 000 (15 min)</td><td>time constant of the contact death rate
 *     estimate</td></tr>
 * </table>
 */
public final class KadConfig {
    private int k = 20;
    private int alpha = 3;
    private long rpcTimeoutMillis = 2_000;
    private long slowQueryMillis = 1_000;
    private long lookupTimeoutMillis = 30_000;
    private int maxQueriesPerLookup = 200;
    private long refreshIntervalMillis = 3_600_000;
    private int maxFailures = 2;
    private int maxPerGroupPerBucket = 2;
    private int maxPerGroupPerResult = 1;
    private int rateLimitBurst = 50;
    private double rateLimitPerSecond = 10;
    private int rateLimitSenders = 10_000;
    private long cacheMinTtlMillis = 10_000;
    private long cacheMaxTtlMillis = 600_000;
    private double cacheChurnFactor = 0.02;
    private int cacheMaxEntries = 10_000;
    private long churnWindowMillis = 900_000;

    private KadConfig() {
    }

    /** The defaults of the table above. */
    public static KadConfig defaults() {
        return new KadConfig();
    }

    private KadConfig copy() {
        KadConfig c = new KadConfig();
        c.k = k;
        c.alpha = alpha;
        c.rpcTimeoutMillis = rpcTimeoutMillis;
        c.slowQueryMillis = slowQueryMillis;
        c.lookupTimeoutMillis = lookupTimeoutMillis;
        c.maxQueriesPerLookup = maxQueriesPerLookup;
        c.refreshIntervalMillis = refreshIntervalMillis;
        c.maxFailures = maxFailures;
        c.maxPerGroupPerBucket = maxPerGroupPerBucket;
        c.maxPerGroupPerResult = maxPerGroupPerResult;
        c.rateLimitBurst = rateLimitBurst;
        c.rateLimitPerSecond = rateLimitPerSecond;
        c.rateLimitSenders = rateLimitSenders;
        c.cacheMinTtlMillis = cacheMinTtlMillis;
        c.cacheMaxTtlMillis = cacheMaxTtlMillis;
        c.cacheChurnFactor = cacheChurnFactor;
        c.cacheMaxEntries = cacheMaxEntries;
        c.churnWindowMillis = churnWindowMillis;
        return c;
    }

    /** A copy of this config with {@code change} applied (to a value already checked). */
    private KadConfig with(java.util.function.Consumer<KadConfig> change) {
        KadConfig c = copy();
        change.accept(c);
        return c;
    }

    private static long check(String name, long value, long min, long max) {
        if (value < min || value > max) {
            throw new IllegalArgumentException(name + " must be in [" + min + ", " + max + "]: " + value);
        }
        return value;
    }

    private static double check(String name, double value, double min, double max) {
        if (!(value >= min && value <= max)) {
            throw new IllegalArgumentException(name + " must be in [" + min + ", " + max + "]: " + value);
        }
        return value;
    }

    public KadConfig withK(int value) {
        int checked = (int) check("k", value, 1, 1_000);
        return with(c -> c.k = checked);
    }

    public KadConfig withAlpha(int value) {
        int checked = (int) check("alpha", value, 1, 64);
        return with(c -> c.alpha = checked);
    }

    public KadConfig withRpcTimeoutMillis(long value) {
        long checked = check("rpcTimeoutMillis", value, 1, 600_000);
        return with(c -> c.rpcTimeoutMillis = checked);
    }

    public KadConfig withSlowQueryMillis(long value) {
        long checked = check("slowQueryMillis", value, 1, 600_000);
        return with(c -> c.slowQueryMillis = checked);
    }

    public KadConfig withLookupTimeoutMillis(long value) {
        long checked = check("lookupTimeoutMillis", value, 1, 3_600_000);
        return with(c -> c.lookupTimeoutMillis = checked);
    }

    public KadConfig withMaxQueriesPerLookup(int value) {
        int checked = (int) check("maxQueriesPerLookup", value, 1, 100_000);
        return with(c -> c.maxQueriesPerLookup = checked);
    }

    public KadConfig withRefreshIntervalMillis(long value) {
        long checked = check("refreshIntervalMillis", value, 4, 30L * 24 * 3_600_000);
        return with(c -> c.refreshIntervalMillis = checked);
    }

    public KadConfig withMaxFailures(int value) {
        int checked = (int) check("maxFailures", value, 1, 100);
        return with(c -> c.maxFailures = checked);
    }

    public KadConfig withMaxPerGroupPerBucket(int value) {
        int checked = (int) check("maxPerGroupPerBucket", value, 0, 1_000);
        return with(c -> c.maxPerGroupPerBucket = checked);
    }

    public KadConfig withMaxPerGroupPerResult(int value) {
        int checked = (int) check("maxPerGroupPerResult", value, 0, 1_000);
        return with(c -> c.maxPerGroupPerResult = checked);
    }

    public KadConfig withRateLimit(int burst, double perSecond) {
        KadConfig c = copy();
        c.rateLimitBurst = (int) check("rateLimitBurst", burst, 1, 1_000_000);
        c.rateLimitPerSecond = check("rateLimitPerSecond", perSecond, 0.001, 1_000_000);
        return c;
    }

    public KadConfig withRateLimitSenders(int value) {
        int checked = (int) check("rateLimitSenders", value, 1, 10_000_000);
        return with(c -> c.rateLimitSenders = checked);
    }

    public KadConfig withCacheTtlBoundsMillis(long min, long max) {
        KadConfig c = copy();
        c.cacheMinTtlMillis = check("cacheMinTtlMillis", min, 0, 30L * 24 * 3_600_000);
        c.cacheMaxTtlMillis = check("cacheMaxTtlMillis", max, min, 30L * 24 * 3_600_000);
        return c;
    }

    public KadConfig withCacheChurnFactor(double value) {
        double checked = check("cacheChurnFactor", value, 0, 1_000);
        return with(c -> c.cacheChurnFactor = checked);
    }

    public KadConfig withCacheMaxEntries(int value) {
        int checked = (int) check("cacheMaxEntries", value, 0, 10_000_000);
        return with(c -> c.cacheMaxEntries = checked);
    }

    public KadConfig withChurnWindowMillis(long value) {
        long checked = check("churnWindowMillis", value, 1, 30L * 24 * 3_600_000);
        return with(c -> c.churnWindowMillis = checked);
    }

    public int k() {
        return k;
    }

    public int alpha() {
        return alpha;
    }

    public long rpcTimeoutMillis() {
        return rpcTimeoutMillis;
    }

    public long slowQueryMillis() {
        return slowQueryMillis;
    }

    public long lookupTimeoutMillis() {
        return lookupTimeoutMillis;
    }

    public int maxQueriesPerLookup() {
        return maxQueriesPerLookup;
    }

    public long refreshIntervalMillis() {
        return refreshIntervalMillis;
    }

    public int maxFailures() {
        return maxFailures;
    }

    public int maxPerGroupPerBucket() {
        return maxPerGroupPerBucket;
    }

    public int maxPerGroupPerResult() {
        return maxPerGroupPerResult;
    }

    public int rateLimitBurst() {
        return rateLimitBurst;
    }

    public double rateLimitPerSecond() {
        return rateLimitPerSecond;
    }

    public int rateLimitSenders() {
        return rateLimitSenders;
    }

    public long cacheMinTtlMillis() {
        return cacheMinTtlMillis;
    }

    public long cacheMaxTtlMillis() {
        return cacheMaxTtlMillis;
    }

    public double cacheChurnFactor() {
        return cacheChurnFactor;
    }

    public int cacheMaxEntries() {
        return cacheMaxEntries;
    }

    public long churnWindowMillis() {
        return churnWindowMillis;
    }

    @Override
    public String toString() {
        return "KadConfig[k=" + k + ", alpha=" + alpha + ", rpcTimeoutMillis=" + rpcTimeoutMillis
                + ", slowQueryMillis=" + slowQueryMillis + ", lookupTimeoutMillis=" + lookupTimeoutMillis
                + ", maxQueriesPerLookup=" + maxQueriesPerLookup
                + ", refreshIntervalMillis=" + refreshIntervalMillis + ", maxFailures=" + maxFailures
                + ", maxPerGroupPerBucket=" + maxPerGroupPerBucket + ", maxPerGroupPerResult=" + maxPerGroupPerResult
                + ", rateLimit=" + rateLimitBurst + "+" + rateLimitPerSecond + "/s over " + rateLimitSenders
                + " senders, cacheTtl=[" + cacheMinTtlMillis + ", " + cacheMaxTtlMillis + "] c=" + cacheChurnFactor
                + ", cacheMaxEntries=" + cacheMaxEntries + ", churnWindowMillis=" + churnWindowMillis + "]";
    }
}
