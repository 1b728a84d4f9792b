package org.gcs.bns.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The registry's file: names survive a restart, and edits by another process are served at once. */
class BnsRegistryFileTest {
    private static final String OWNER = "SP2J6ZY48GV1EZ5V2V5RB9MP66SW86PYKKNRV9EJ7";
    private static final String OTHER = "SPAW66WC3G8WA5F28JVNG1NTRJ6H76E7EN5H6QQD";

    private static HttpResponse<String> get(URI base, String path) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(base.resolve(path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void namesSurviveARestartAndEditsFromOutsideAreServedAtOnce(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("names.txt");
        InetSocketAddress any = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
        try (BnsRegistry r = BnsRegistry.start(any, file)) {
            r.register("Alice.id", OWNER);
            assertTrue(get(r.url(), "/names/alice.id/owner").body().contains("\"owner\":\"" + OWNER + "\""));
        }
        try (BnsRegistry r = BnsRegistry.start(any, file)) {
            assertTrue(get(r.url(), "/names/alice.id/owner").body().contains("\"status\":\"active\""), "restarted");
            Thread.sleep(20); // a modification time the registry has not seen
            BnsRegistry.set(file, "alice.id", OTHER, BnsRegistry.State.GRACE_PERIOD); // as the launcher does
            String body = get(r.url(), "/names/alice.id/owner").body();
            assertTrue(body.contains("\"owner\":\"" + OTHER + "\"") && body.contains("\"status\":\"grace-period\""), body);
            assertEquals(404, get(r.url(), "/names/nobody.id/owner").statusCode());
            assertTrue(Files.readString(file).contains("alice.id " + OTHER + " GRACE_PERIOD"));
        }
    }
}
