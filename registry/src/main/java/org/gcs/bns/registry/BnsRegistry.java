package org.gcs.bns.registry;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import org.gcs.auth.bns.BnsName;
import org.gcs.auth.bns.Clarity;
import org.gcs.auth.bns.StacksAddress;

/**
 * An offline BNS-compatible name service: the paths and JSON of the BNS-V2 indexer ({@code /names/{name}/owner}, also
 * under {@code /testnet}), of a Stacks node's read-only calls to BNS-V2 ({@code get-owner-name},
 * {@code can-resolve-name}) and of the v1 names API ({@code /v1/names/{name}}), answering from its own table of names,
 * kept in a file if one is given. It registers, transfers, expires (with and past the grace period) and revokes names,
 * so the demo, the tests and a private deployment run with no internet. {@link #fault} makes it misbehave as real
 * services do (rate limiting, errors, malformed or oversize answers) for the tests of clients.
 */
public final class BnsRegistry implements AutoCloseable {
    /** A name's state, as the indexer reports it. */
    public enum State { ACTIVE, GRACE_PERIOD, EXPIRED, REVOKED }

    /** How the registry misbehaves, for clients' tests; {@link #NONE} normally. */
    public enum Fault { NONE, RATE_LIMITED, SERVER_ERROR, MALFORMED_JSON, OVERSIZE_BODY }

    private record Entry(String owner, State state) {
    }

    static final long BURN_HEIGHT = 900_000;
    private static final JsonFactory JSON = new JsonFactory();
    private static final HexFormat HEX = HexFormat.of();

    private volatile HttpServer server;
    private final ExecutorService threads = Executors.newFixedThreadPool(2, r -> {
        Thread t = new Thread(r, "bns-registry");
        t.setDaemon(true);
        return t;
    });
    private final Path file;
    private final Map<String, Entry> names = new LinkedHashMap<>();
    private final AtomicLong requests = new AtomicLong();
    private final AtomicLong notModified = new AtomicLong();
    private volatile Fault fault = Fault.NONE;
    private long loadedModified;
    private volatile int retryAfterSeconds = 30;

    private BnsRegistry(HttpServer server, Path file) {
        this.server = server;
        this.file = file;
    }

    /** Starts serving on {@code bind} (port 0: any free one); {@code file} holds the names (null: memory only). */
    public static BnsRegistry start(InetSocketAddress bind, Path file) throws IOException {
        // the JDK server writes headers and body separately: without TCP_NODELAY each answer waits out a delayed ACK
        // (about 40 ms on Linux loopback), which no real name service adds
        System.setProperty("sun.net.httpserver.nodelay", "true");
        HttpServer server = HttpServer.create(bind, 64);
        BnsRegistry r = new BnsRegistry(server, file);
        if (file != null && Files.exists(file)) {
            r.load();
        }
        server.createContext("/", r::handle);
        server.setExecutor(r.threads);
        server.start();
        return r;
    }

    public URI url() {
        HttpServer running = server;
        if (running == null) {
            throw new IllegalStateException("the registry is closed");
        }
        InetSocketAddress a = running.getAddress();
        return URI.create("http://" + a.getAddress().getHostAddress() + ":" + a.getPort());
    }

    /** Requests served so far. */
    public long requests() {
        return requests.get();
    }

    /** How many conditional requests were answered {@code 304 Not Modified}. */
    public long notModified() {
        return notModified.get();
    }

    public void fault(Fault f, int retryAfter) {
        fault = f;
        retryAfterSeconds = retryAfter;
    }

    // ---- the table ----------------------------------------------------------------------------------------------

    /** Registers {@code name} (any case) to {@code owner}, a principal ({@code SP…} or {@code SP….contract}). */
    public synchronized void register(String name, String owner) throws IOException {
        put(name, new Entry(checkOwner(owner), State.ACTIVE));
    }

    public synchronized void transfer(String name, String newOwner) throws IOException {
        put(name, new Entry(checkOwner(newOwner), existing(name).state()));
    }

    public synchronized void setState(String name, State state) throws IOException {
        put(name, new Entry(existing(name).owner(), state));
    }

    public synchronized void remove(String name) throws IOException {
        names.remove(BnsName.parse(name).toString());
        save();
    }

    private Entry existing(String name) {
        Entry e = names.get(BnsName.parse(name).toString());
        if (e == null) {
            throw new IllegalArgumentException("no such name: " + name);
        }
        return e;
    }

    private void put(String name, Entry e) throws IOException {
        names.put(BnsName.parse(name).toString(), e);
        save();
    }

    private static String checkOwner(String owner) {
        int dot = owner.indexOf('.');
        StacksAddress.parse(dot < 0 ? owner : owner.substring(0, dot));
        return owner;
    }

    private synchronized Entry lookup(BnsName name) {
        reloadIfChanged();
        return names.get(name.toString());
    }

    /** Another process (the launcher's {@code registry set}) may have edited the file: take its names then. */
    private void reloadIfChanged() {
        if (file == null) {
            return;
        }
        try {
            long modified = Files.exists(file) ? Files.getLastModifiedTime(file).toMillis() : 0;
            if (modified != loadedModified) {
                names.clear();
                load();
            }
        } catch (IOException | RuntimeException e) {
            // keep what was loaded; the next request tries again
        }
    }

    /**
     * Sets {@code name} to {@code owner} in {@code state} in the registry file {@code file} (created if missing), as
     * a registration, a transfer, an expiry or a revocation would; a running registry serving that file answers with
     * it from its next request on.
     */
    public static void set(Path file, String name, String owner, State state) throws IOException {
        BnsRegistry offline = new BnsRegistry(null, file);
        if (Files.exists(file)) {
            offline.load();
        }
        offline.put(name, new Entry(checkOwner(owner), state));
    }

    /** One name a line: {@code name owner state}. */
    private void save() throws IOException {
        if (file == null) {
            return;
        }
        StringBuilder b = new StringBuilder("# BNS registry: name owner state\n");
        names.forEach((n, e) -> b.append(n).append(' ').append(e.owner()).append(' ').append(e.state()).append('\n'));
        org.gcs.internal.files.AtomicFiles.replace(file, b.toString());
        loadedModified = Files.getLastModifiedTime(file).toMillis();
    }

    private void load() throws IOException {
        loadedModified = Files.getLastModifiedTime(file).toMillis();
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            String l = line.strip();
            if (l.isEmpty() || l.startsWith("#")) {
                continue;
            }
            String[] f = l.split("\\s+");
            names.put(BnsName.parse(f[0]).toString(), new Entry(checkOwner(f[1]), State.valueOf(f[2])));
        }
    }

    // ---- HTTP ---------------------------------------------------------------------------------------------------

    private void handle(HttpExchange x) throws IOException {
        requests.incrementAndGet();
        try (x) {
            switch (fault) {
                case RATE_LIMITED -> {
                    x.getResponseHeaders().set("Retry-After", Integer.toString(retryAfterSeconds));
                    send(x, 429, "{\"error\":\"rate limited\"}");
                    return;
                }
                case SERVER_ERROR -> {
                    send(x, 500, "{\"error\":\"internal\"}");
                    return;
                }
                case MALFORMED_JSON -> {
                    send(x, 200, "{\"owner\":\"SP");
                    return;
                }
                case OVERSIZE_BODY -> {
                    send(x, 200, "{\"pad\":\"" + "x".repeat(200_000) + "\"}");
                    return;
                }
                default -> {
                }
            }
            String path = x.getRequestURI().getRawPath();
            List<String> seg = new ArrayList<>(List.of(path.substring(1).split("/")));
            if (!seg.isEmpty() && seg.get(0).equals("testnet")) {
                seg.remove(0);
            }
            if (x.getRequestMethod().equals("GET") && seg.size() == 3 && seg.get(0).equals("names")
                    && seg.get(2).equals("owner")) {
                indexerOwner(x, seg.get(1));
            } else if (x.getRequestMethod().equals("GET") && seg.size() == 3 && seg.get(0).equals("v1")
                    && seg.get(1).equals("names")) {
                v1Name(x, seg.get(2));
            } else if (x.getRequestMethod().equals("POST") && seg.size() == 6 && seg.get(0).equals("v2")
                    && seg.get(1).equals("contracts") && seg.get(2).equals("call-read")) {
                readOnlyCall(x, seg.get(5));
            } else {
                send(x, 404, "{\"error\":\"no such path\"}");
            }
        } catch (RuntimeException e) {
            send(x, 400, "{\"error\":" + quote(String.valueOf(e.getMessage())) + "}");
        }
    }

    private void indexerOwner(HttpExchange x, String full) throws IOException {
        BnsName name;
        try {
            name = BnsName.parse(full);
        } catch (IllegalArgumentException e) {
            send(x, 404, "{\"error\":\"Name not found\"}");
            return;
        }
        Entry e = lookup(name);
        if (e == null) {
            send(x, 404, "{\"error\":\"Name not found\"}");
            return;
        }
        String status = switch (e.state()) {
            case ACTIVE -> "active";
            case GRACE_PERIOD -> "grace-period";
            case EXPIRED -> "expired";
            case REVOKED -> "revoked";
        };
        sendCacheable(x, "{\"owner\":" + quote(e.owner()) + ",\"current_burn_block\":" + BURN_HEIGHT
                + ",\"renewal_height\":" + (e.state() == State.ACTIVE ? BURN_HEIGHT + 50_000 : BURN_HEIGHT - 100)
                + ",\"status\":" + quote(status) + "}");
    }

    private void v1Name(HttpExchange x, String full) throws IOException {
        if (full.chars().filter(c -> c == '.').count() >= 2) { // an unknown subdomain: off to a registrar
            x.getResponseHeaders().set("Location", "http://127.0.0.1:9/v1/names/" + full);
            send(x, 302, "");
            return;
        }
        Entry e;
        try {
            e = lookup(BnsName.parse(full));
        } catch (IllegalArgumentException notAName) {
            e = null;
        }
        if (e == null) {
            send(x, 404, "{\"error\":\"cannot find name " + full.toLowerCase(Locale.ROOT) + "\"}");
            return;
        }
        String status = e.state() == State.REVOKED ? "revoked" : e.state() == State.EXPIRED ? "expired" : "registered";
        sendCacheable(x, "{\"address\":" + quote(e.owner()) + ",\"blockchain\":\"stacks\",\"expire_block\":" + BURN_HEIGHT
                + ",\"grace_period\":" + (e.state() == State.GRACE_PERIOD) + ",\"last_txid\":\"\",\"status\":"
                + quote(status) + ",\"zonefile_hash\":\"\"}");
    }

    private void readOnlyCall(HttpExchange x, String function) throws IOException {
        List<String> args = arguments(x.getRequestBody().readNBytes(64 * 1024));
        if (args.size() != 2) {
            send(x, 200, "{\"okay\":false,\"cause\":\"expected 2 arguments\"}");
            return;
        }
        byte[] first = buff(args.get(0));
        byte[] second = buff(args.get(1));
        byte[] result;
        switch (function) {
            case "get-owner-name" -> { // (name) (namespace)
                Entry e = entry(first, second);
                result = e == null ? HEX.parseHex("0709") : concat(new byte[] {0x07, 0x0a}, principal(e.owner()));
            }
            case "can-resolve-name" -> { // (namespace) (name)
                Entry e = entry(second, first);
                result = e == null || e.state() != State.ACTIVE
                        ? concat(new byte[] {0x08, 0x01}, uint16(e == null ? 102 : 107))
                        : concat(new byte[] {0x07}, Clarity.tuple(Map.of("owner", principal(e.owner()),
                                "renewal", concat(new byte[] {0x01}, uint16(BURN_HEIGHT + 50_000)))));
            }
            default -> {
                send(x, 200, "{\"okay\":false,\"cause\":\"no such function " + function + "\"}");
                return;
            }
        }
        send(x, 200, "{\"okay\":true,\"result\":\"0x" + HEX.formatHex(result) + "\"}");
    }

    private Entry entry(byte[] name, byte[] namespace) {
        try {
            return lookup(new BnsName(new String(name, StandardCharsets.US_ASCII),
                    new String(namespace, StandardCharsets.US_ASCII)));
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private static byte[] principal(String owner) {
        int dot = owner.indexOf('.');
        StacksAddress a = StacksAddress.parse(dot < 0 ? owner : owner.substring(0, dot));
        if (dot < 0) {
            return Clarity.principal(a);
        }
        byte[] contract = owner.substring(dot + 1).getBytes(StandardCharsets.US_ASCII);
        return concat(new byte[] {0x06, (byte) a.version()}, a.hash160(), new byte[] {(byte) contract.length}, contract);
    }

    private static byte[] buff(String hex) {
        Clarity.Value v = Clarity.decode(HEX.parseHex(hex.startsWith("0x") ? hex.substring(2) : hex));
        if (!(v instanceof Clarity.Buff b)) {
            throw new IllegalArgumentException("argument is not a buff");
        }
        return b.bytes();
    }

    private static byte[] uint16(long v) {
        return java.nio.ByteBuffer.allocate(16).putLong(8, v).array();
    }

    private static List<String> arguments(byte[] body) throws IOException {
        List<String> out = new ArrayList<>();
        try (JsonParser p = JSON.createParser(body)) {
            while (p.nextToken() != null) {
                if (p.currentToken() == JsonToken.FIELD_NAME && "arguments".equals(p.currentName())
                        && p.nextToken() == JsonToken.START_ARRAY) {
                    while (p.nextToken() == JsonToken.VALUE_STRING) {
                        out.add(p.getText());
                    }
                }
            }
        }
        return out;
    }

    private static byte[] concat(byte[]... parts) {
        java.io.ByteArrayOutputStream b = new java.io.ByteArrayOutputStream();
        for (byte[] p : parts) {
            b.writeBytes(p);
        }
        return b.toByteArray();
    }

    private static String quote(String s) {
        return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }

    /**
     * A 200 answer with an {@code ETag} (the hash of the body), or {@code 304 Not Modified} without a body when the
     * request's {@code If-None-Match} names that tag, as the Stacks API does for answers that only change with the chain.
     */
    private void sendCacheable(HttpExchange x, String body) throws IOException {
        String etag;
        try {
            etag = "\"" + HEX.formatHex(java.security.MessageDigest.getInstance("SHA-256")
                    .digest(body.getBytes(StandardCharsets.UTF_8)), 0, 16) + "\"";
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        x.getResponseHeaders().set("ETag", etag);
        String asked = x.getRequestHeaders().getFirst("If-None-Match");
        if (asked != null && asked.trim().equals(etag)) {
            notModified.incrementAndGet();
            x.sendResponseHeaders(304, -1);
            return;
        }
        send(x, 200, body);
    }

    private static void send(HttpExchange x, int code, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        x.getResponseHeaders().set("Content-Type", "application/json");
        x.sendResponseHeaders(code, bytes.length == 0 ? -1 : bytes.length);
        if (bytes.length > 0) {
            try (OutputStream out = x.getResponseBody()) {
                out.write(bytes);
            }
        }
    }

    @Override
    public synchronized void close() {
        if (server != null) {
            server.stop(0);
            server = null;
        }
        threads.shutdownNow();
    }
}
