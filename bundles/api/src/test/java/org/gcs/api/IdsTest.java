package org.gcs.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class IdsTest {
    @Test
    void userIdRoundTripsThroughItsPrintableForm() {
        UserId id = UserId.parse("bns:alice.id");
        assertEquals("bns", id.scheme());
        assertEquals("alice.id", id.value());
        assertEquals(id, UserId.parse(id.toString()));
        assertNotEquals(id, UserId.parse("pk:alice.id"));
    }

    @Test
    void bnsNamesAreOneUserWhateverTheirCaseAndOtherSchemesKeepTheirs() {
        assertEquals(UserId.parse("bns:alice.id"), UserId.parse("bns:Alice.ID"));
        assertEquals("bns:alice.id", UserId.of("bns", "ALICE.id").toString());
        assertNotEquals(UserId.parse("pk:abcDEF"), UserId.parse("pk:abcdef"), "pk values are base32 keys: case counts");
        assertThrows(IllegalArgumentException.class, () -> UserId.parse("bns:\u00e4lice.id"), "no Unicode: punycode it");
    }

    @Test
    void malformedUserIdsAreRejected() {
        for (String bad : new String[] {"", "alice", ":x", "PK:abc", "pk:", "pk:a b", "pk:-lead", "pk:" + "a".repeat(129)}) {
            assertThrows(IllegalArgumentException.class, () -> UserId.parse(bad), bad);
        }
        assertThrows(IllegalArgumentException.class, () -> UserId.parse(null));
    }

    @Test
    void deviceAndAppNamesAreValidated() {
        assertEquals("laptop", DeviceId.of("laptop").name());
        assertEquals("file-share.v2", AppId.of("file-share.v2").toString());
        assertThrows(IllegalArgumentException.class, () -> DeviceId.of("my phone"));
        assertThrows(IllegalArgumentException.class, () -> AppId.of("x".repeat(65)));
        assertThrows(IllegalArgumentException.class, () -> AppId.of(null));
    }

    @Test
    void nodeIdIsTheSha256OfThePublicKeyAndPrintsAsHex() {
        NodeId id = NodeId.fromPublicKey("key".getBytes());
        assertEquals("2c70e12b7a0646f92279f427c7b38e7334d8e5389cff167a1dc30e73f826b683", id.toString());
        assertEquals(id, NodeId.fromHex(id.toString()));
        assertThrows(IllegalArgumentException.class, () -> NodeId.of(new byte[31]));
        assertThrows(IllegalArgumentException.class, () -> NodeId.fromHex("zz"));
    }
}
