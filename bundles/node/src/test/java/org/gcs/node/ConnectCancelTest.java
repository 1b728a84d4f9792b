package org.gcs.node;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.protobuf.ByteString;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.gcs.api.auth.UserCredential;
import org.gcs.api.wire.NodeWire.ChannelType;
import org.gcs.api.wire.NodeWire.Connect;
import org.gcs.api.wire.NodeWire.ConnectCancel;
import org.gcs.api.wire.NodeWire.NodeFrame;
import org.gcs.api.wire.NodeWire.NodeFrame.BodyCase;
import org.gcs.api.wire.NodeWire.Signal;
import org.gcs.auth.pubkey.PubkeyCredentialStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The caller's ConnectCancel reaches the callee like a signal; only the caller may send it; both nodes forget the connect. */
class ConnectCancelTest {
    @TempDir
    Path tmp;

    @Test
    void theCallersCancelReachesTheCalleeAndEndsTheConnection() throws Exception {
        PubkeyCredentialStore store = new PubkeyCredentialStore();
        UserCredential alice = store.loadOrCreate(tmp.resolve("alice.key"), null);
        UserCredential bob = store.loadOrCreate(tmp.resolve("bob.key"), null);
        GcsNode node = TestNodes.central(tmp.resolve("node"), Map.of());
        try (TestDaemon alices = TestDaemon.connect(node.tlsPort(), node.nodeId());
             TestDaemon bobs = TestDaemon.connect(node.tlsPort(), node.nodeId())) {
            alices.loginOk(alice, "laptop", List.of(bob.user().toString()));
            bobs.loginOk(bob, "phone", List.of(alice.user().toString()));
            ByteString id = TestNodes.connectionId();
            alices.send(NodeFrame.newBuilder().setConnect(Connect.newBuilder().setConnectionId(id)
                    .setCalleeUser(bob.user().toString()).setCalleeDevice("phone").setCalleeApp("chat")
                    .setCallerApp("chat").setType(ChannelType.DATA).setOffer(ByteString.copyFromUtf8("offer"))).build());
            bobs.expect(BodyCase.CONNECT_REQUEST);

            NodeFrame cancel = NodeFrame.newBuilder().setConnectCancel(ConnectCancel.newBuilder().setConnectionId(id)
                    .setReason("the caller's application hung up")).build();
            bobs.send(cancel); // the callee may not cancel for the caller
            assertEquals(BodyCase.ERROR, bobs.receive().getBodyCase());

            alices.send(cancel);
            ConnectCancel heard = bobs.expect(BodyCase.CONNECT_CANCEL).getConnectCancel();
            assertEquals(id, heard.getConnectionId());
            assertEquals("the caller's application hung up", heard.getReason());

            alices.send(NodeFrame.newBuilder().setSignal(Signal.newBuilder().setConnectionId(id)
                    .setPayload(ByteString.copyFromUtf8("late"))).build());
            assertEquals(BodyCase.ERROR, alices.receive().getBodyCase(), "the cancelled connection is forgotten");
            assertEquals(BodyCase.PONG, bobs.pingBarrier(1).getBodyCase(), "and nothing more reached Bob");
        } finally {
            node.deactivate();
        }
    }
}
