package org.gcs.auth.bns;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.gcs.api.UserId;
import org.junit.jupiter.api.Test;

class BnsNameTest {
    @Test
    void aNameIsItsLowerCaseFormAndMatchesItsUserId() {
        BnsName n = BnsName.parse("Alice.ID");
        assertEquals("alice.id", n.toString());
        assertEquals(UserId.parse("bns:alice.id"), n.userId());
        assertEquals(n, BnsName.of(UserId.parse("bns:ALICE.id")), "a friends entry in capitals is the same user");
        assertEquals("muneeb_ali-2", BnsName.parse("muneeb_ali-2.btc").name());
    }

    @Test
    void subdomainsOverlongAndForeignNamesAreRefusedClearly() {
        IllegalArgumentException sub = assertThrows(IllegalArgumentException.class, () -> BnsName.parse("bob.alice.id"));
        assertTrue(sub.getMessage().contains("subdomain"), sub.getMessage());
        assertThrows(IllegalArgumentException.class, () -> BnsName.parse("alice"));
        assertThrows(IllegalArgumentException.class, () -> BnsName.parse("a".repeat(49) + ".id"));
        assertThrows(IllegalArgumentException.class, () -> BnsName.parse("alice." + "n".repeat(21)));
        assertThrows(IllegalArgumentException.class, () -> BnsName.parse("al ice.id"));
        assertThrows(IllegalArgumentException.class, () -> BnsName.parse(".id"));
        assertThrows(IllegalArgumentException.class, () -> BnsName.of(UserId.parse("pk:abc")));
        assertEquals(48, BnsName.parse("a".repeat(48) + ".id").name().length());
    }
}
