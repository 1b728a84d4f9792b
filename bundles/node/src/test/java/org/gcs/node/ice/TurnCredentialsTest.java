package org.gcs.node.ice;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import org.gcs.api.UserId;
import org.gcs.api.wire.NodeWire.IceServer;
import org.junit.jupiter.api.Test;

class TurnCredentialsTest {
    private final Clock clock = Clock.fixed(Instant.ofEpochSecond(1_800_000_000L), ZoneOffset.UTC);
    private final UserId alice = UserId.parse("pk:alice");

    @Test
    void passwordIsBase64OfHmacSha1AsCoturnComputesIt() {
        // the well-known HMAC-SHA1 vector: key "key", message "The quick brown fox jumps over the lazy dog"
        TurnCredentials credentials = new TurnCredentials("key", Duration.ofMinutes(10), clock);
        String expected = Base64.getEncoder().encodeToString(HexFormat.of().parseHex("de7c9b85b8b78aa6bc8a7a36f70a90701c9db4d9"));
        assertEquals(expected, credentials.password("The quick brown fox jumps over the lazy dog"));
    }

    @Test
    void usernameIsExpiryThenAnOpaqueLabel() {
        TurnCredentials credentials = new TurnCredentials("s3cret", Duration.ofMinutes(10), clock);
        TurnCredentials.Credential c = credentials.issue(alice);
        String[] parts = c.username().split(":");
        assertEquals(2, parts.length, c.username());
        assertEquals(1_800_000_600L, Long.parseLong(parts[0]));
        assertTrue(parts[1].startsWith("gcs-") && !parts[1].contains("alice"), "the label does not name the user: " + parts[1]);
        assertEquals(credentials.password(c.username()), c.password());
        assertNotEquals(c.username(), credentials.issue(UserId.parse("pk:bob")).username());
    }

    @Test
    void directoryAddsTurnEntriesWithCredentialsAfterStun() {
        IceServer stun = IceServer.newBuilder().setKind("stun").setHost("203.0.113.10").setPort(3478).build();
        IceServerDirectory directory = new IceServerDirectory(List.of(stun),
                List.of(IceServerDirectory.HostPort.parse("203.0.113.20:3478"), IceServerDirectory.HostPort.parse("[::1]:5349")),
                new TurnCredentials("s3cret", Duration.ofHours(1), clock));
        List<IceServer> servers = directory.forUser(alice);
        assertEquals(3, servers.size());
        assertEquals(stun, servers.get(0));
        assertEquals("turn", servers.get(1).getKind());
        assertEquals("203.0.113.20", servers.get(1).getHost());
        assertEquals("::1", servers.get(2).getHost());
        assertEquals(5349, servers.get(2).getPort());
        assertEquals(servers.get(1).getUsername(), servers.get(2).getUsername());
        assertTrue(!servers.get(1).getPassword().isEmpty());
    }

    @Test
    void badConfigurationIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> new TurnCredentials("", Duration.ofMinutes(1), clock));
        assertThrows(IllegalArgumentException.class, () -> new TurnCredentials("x", Duration.ZERO, clock));
        assertThrows(IllegalArgumentException.class, () -> IceServerDirectory.HostPort.parse("203.0.113.20"));
        assertThrows(IllegalArgumentException.class, () -> IceServerDirectory.HostPort.parse("host:99999"));
        assertThrows(IllegalArgumentException.class, () -> IceServerDirectory.HostPort.parse("host:abc"));
        assertThrows(IllegalArgumentException.class,
                () -> new IceServerDirectory(List.of(), List.of(IceServerDirectory.HostPort.parse("h:1")), null));
    }
}
