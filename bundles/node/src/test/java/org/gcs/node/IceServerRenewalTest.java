package org.gcs.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.gcs.api.auth.UserCredential;
import org.gcs.api.wire.NodeWire.IceServer;
import org.gcs.api.wire.NodeWire.NodeFrame;
import org.gcs.api.wire.NodeWire.NodeFrame.BodyCase;
import org.gcs.auth.pubkey.PubkeyCredentialStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * TURN credentials expire after {@code turn.ttl.seconds}; a daemon online longer must not lose its relay candidates.
 * The node pushes fresh ones (IceServersUpdate) every half lifetime, to each logged-in daemon.
 */
class IceServerRenewalTest {
    @TempDir
    Path tmp;

    @Test
    void aLoggedInDaemonGetsFreshTurnCredentialsBeforeTheOldOnesExpire() throws Exception {
        UserCredential alice = new PubkeyCredentialStore().loadOrCreate(tmp.resolve("alice.key"), null);
        GcsNode node = TestNodes.central(tmp.resolve("node"), Map.of("turn_servers",
                new String[] {"203.0.113.20:3478"}, "turn_secret", "s3cret", "turn_ttl_seconds", 4));
        try (TestDaemon daemon = TestDaemon.connect(node.tlsPort(), node.nodeId())) {
            long welcomeExpiry = expiry(daemon.loginOk(alice, "laptop", List.of()).getWelcome().getIceServersList());

            NodeFrame first = daemon.expect(BodyCase.ICE_SERVERS_UPDATE); // after 2 s, half the lifetime
            long renewed = expiry(first.getIceServersUpdate().getIceServersList());
            assertTrue(renewed >= welcomeExpiry + 1, "renewed credentials expire later: " + renewed + " vs " + welcomeExpiry);
            NodeFrame second = daemon.expect(BodyCase.ICE_SERVERS_UPDATE);
            assertTrue(expiry(second.getIceServersUpdate().getIceServersList()) > renewed, "and again, while online");
            assertEquals(BodyCase.PONG, daemon.pingBarrier(1).getBodyCase(), "the session is unaffected");
        } finally {
            node.deactivate();
        }
    }

    /** The expiry (unix seconds) in the TURN username, {@code <expiry>:<label>}. */
    private static long expiry(List<IceServer> servers) {
        IceServer turn = servers.stream().filter(s -> s.getKind().equals("turn")).findFirst().orElseThrow();
        assertEquals("203.0.113.20", turn.getHost());
        return Long.parseLong(turn.getUsername().substring(0, turn.getUsername().indexOf(':')));
    }
}
